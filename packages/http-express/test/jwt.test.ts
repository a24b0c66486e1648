import { generateKeyPairSync } from "node:crypto";
import { SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIENCE, ISSUER, JWT_SECRET, type TestServer, call, startServer, token } from "./server-harness.js";

const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();

describe("JWT authentication", () => {
  let hs: TestServer;
  let rs: TestServer;
  beforeAll(async () => {
    hs = await startServer("sqlite");
    rs = await startServer("sqlite", { jwt: { publicKey: publicPem, algorithms: ["RS256"], issuer: ISSUER, audience: AUDIENCE } });
  });
  afterAll(async () => {
    await hs?.close();
    await rs?.close();
  });

  const secret = new TextEncoder().encode(JWT_SECRET);
  const base = () => new SignJWT({}).setSubject("mallory").setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt();

  it("accepts a valid token, and an RS256 token on an RS256 router", async () => {
    expect((await call(hs, "GET", "/payments", { token: await token("alice") })).status).toBe(200);
    const rsToken = await base().setProtectedHeader({ alg: "RS256" }).setExpirationTime("5m").sign(privateKey);
    expect((await call(rs, "GET", "/payments", { token: rsToken })).status).toBe(200);
  });

  it("refuses the attack set with 401", async () => {
    const now = Math.floor(Date.now() / 1000);
    const attacks: Record<string, string> = {
      "alg none": new UnsecuredJWT({ sub: "mallory", iss: ISSUER, aud: AUDIENCE }).setExpirationTime("5m").encode(),
      expired: await base().setProtectedHeader({ alg: "HS256" }).setExpirationTime(now - 120).sign(secret),
      "not yet valid": await base().setProtectedHeader({ alg: "HS256" }).setNotBefore(now + 120).setExpirationTime(now + 600).sign(secret),
      "wrong key": await token("mallory", {}, { secret: "another-secret-that-is-long-enough-for-it" }),
      "wrong issuer": await new SignJWT({}).setSubject("m").setIssuer("https://evil.test").setAudience(AUDIENCE).setProtectedHeader({ alg: "HS256" }).setExpirationTime("5m").sign(secret),
      "wrong audience": await new SignJWT({}).setSubject("m").setIssuer(ISSUER).setAudience("other").setProtectedHeader({ alg: "HS256" }).setExpirationTime("5m").sign(secret),
      "missing sub": await token(null),
      // A token without `exp` would never expire: one leaked token would be valid forever.
      "no exp": await base().setProtectedHeader({ alg: "HS256" }).sign(secret),
      garbage: "not.a.jwt",
    };
    for (const [name, jwt] of Object.entries(attacks)) {
      const result = await call(hs, "GET", "/payments", { token: jwt });
      expect(result.status, name).toBe(401);
      expect(result.json.error.code, name).toBe("unauthenticated");
      expect(result.headers.get("www-authenticate"), name).toMatch(/^Bearer/);
    }
    expect((await call(hs, "GET", "/payments")).status).toBe(401);
    // HS/RS confusion: an HMAC token keyed with the RSA public key must not pass an RS256 router.
    const confused = await base().setProtectedHeader({ alg: "HS256" }).setExpirationTime("5m").sign(new TextEncoder().encode(publicPem));
    expect((await call(rs, "GET", "/payments", { token: confused })).status).toBe(401);
    const noneOnRs = new UnsecuredJWT({ sub: "m", iss: ISSUER, aud: AUDIENCE }).encode();
    expect((await call(rs, "GET", "/payments", { token: noneOnRs })).status).toBe(401);
  });

  it("tolerates at most 60 seconds of clock skew", async () => {
    const now = Math.floor(Date.now() / 1000);
    const slightlyExpired = await base().setProtectedHeader({ alg: "HS256" }).setExpirationTime(now - 10).sign(secret);
    expect((await call(hs, "GET", "/payments", { token: slightlyExpired })).status).toBe(200);
  });
});
