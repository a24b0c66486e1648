import { configurationError } from "@org/payments-core";
import { type JWTVerifyGetKey, createLocalJWKSet, createRemoteJWKSet, errors, importSPKI, jwtVerify } from "jose";
import type { Authenticate, Principal } from "./principal.js";
import { holdsRoleClaim } from "./role-claims.js";

type VerificationKey = Exclude<Parameters<typeof jwtVerify>[1], JWTVerifyGetKey>;

export type JwtAlgorithm = "HS256" | "HS384" | "HS512" | "RS256" | "RS384" | "RS512" | "PS256" | "ES256" | "ES384" | "EdDSA";

export interface JwtOptions {
  /** Shared secret for HS* algorithms. */
  secret?: string | Uint8Array | undefined;
  /** PEM public key (SPKI) for RS*, PS*, ES*. */
  publicKey?: string | undefined;
  /** A JWKS URL (fetched and cached by jose), or a JWKS document. */
  jwksUrl?: string | undefined;
  jwks?: { keys: object[] } | undefined;
  /** The only algorithms accepted. Fixed by configuration, never taken from the token. */
  algorithms: readonly JwtAlgorithm[];
  issuer?: string | undefined;
  audience?: string | undefined;
  /** Claim that grants the admin role: `admin: true`, `role: "admin"`, or `roles` containing "admin". Default "admin". */
  adminClaim?: string | undefined;
  /** Allowed clock skew in seconds, at most 60 (default 30). */
  clockToleranceSeconds?: number | undefined;
}

/**
 * Resolves the HMAC key for a token's (allowed) algorithm from keys imported once. Handing jose the raw secret
 * makes it import a CryptoKey on every verification, a measurable share of each request's CPU.
 */
function hmacKeyResolver(secret: string | Uint8Array, algorithms: readonly JwtAlgorithm[]): JWTVerifyGetKey {
  const raw = typeof secret === "string" ? new TextEncoder().encode(secret) : secret;
  const keys = new Map<string, Promise<CryptoKeyLike>>();
  for (const alg of algorithms) {
    const hash = `SHA-${alg.slice(2)}`;
    keys.set(alg, globalThis.crypto.subtle.importKey("raw", raw, { name: "HMAC", hash }, false, ["verify"]));
  }
  // jose has already refused any algorithm outside `algorithms` before it asks for a key.
  return async (header) => {
    const key = keys.get(header.alg ?? "");
    if (!key) throw new errors.JOSEAlgNotAllowed(`"alg" (Algorithm) Header Parameter value not allowed`);
    return key;
  };
}

type CryptoKeyLike = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>;

function bearerToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(value) : null;
  return match?.[1] ?? null;
}

/**
 * Bearer JWT authentication with jose. The key type and algorithm list are fixed by configuration, so `alg: none`
 * and HS/RS confusion (an RS public key used as an HMAC secret) are refused; `exp` and `nbf` are enforced, as are
 * `iss`/`aud` when configured, with at most 60 s of skew. A token without `sub` is refused.
 */
export function createJwtAuthenticator(options: JwtOptions): Authenticate {
  const algorithms = [...options.algorithms];
  if (algorithms.length === 0) throw configurationError("JWT: at least one algorithm must be allowed");
  const symmetric = algorithms.every((a) => a.startsWith("HS"));
  const asymmetric = algorithms.every((a) => !a.startsWith("HS"));
  if (!symmetric && !asymmetric) throw configurationError("JWT: do not mix HMAC and public-key algorithms; that invites key confusion");
  const tolerance = Math.min(options.clockToleranceSeconds ?? 30, 60);
  const adminClaim = options.adminClaim ?? "admin";

  let key: Promise<VerificationKey | JWTVerifyGetKey>;
  if (symmetric) {
    if (!options.secret) throw configurationError("JWT: HS algorithms need a secret");
    key = Promise.resolve(hmacKeyResolver(options.secret, algorithms));
  } else if (options.publicKey) {
    key = importSPKI(options.publicKey, algorithms[0]!);
  } else if (options.jwksUrl) {
    key = Promise.resolve(createRemoteJWKSet(new URL(options.jwksUrl)));
  } else if (options.jwks) {
    key = Promise.resolve(createLocalJWKSet(options.jwks as Parameters<typeof createLocalJWKSet>[0]));
  } else {
    throw configurationError("JWT: public-key algorithms need publicKey, jwksUrl or jwks");
  }

  return async (request) => {
    const token = bearerToken(request.headers.authorization);
    if (!token) return null;
    try {
      const resolved = await key;
      const verifyOptions = {
        algorithms,
        clockTolerance: tolerance,
        // jose checks `exp` only when present; a token without one would be valid forever.
        requiredClaims: ["exp"],
        ...(options.issuer ? { issuer: options.issuer } : {}),
        ...(options.audience ? { audience: options.audience } : {}),
      };
      const { payload } =
        typeof resolved === "function"
          ? await jwtVerify(token, resolved, verifyOptions)
          : await jwtVerify(token, resolved, verifyOptions);
      if (typeof payload.sub !== "string" || payload.sub.length === 0) return null;
      const principal: Principal = { sub: payload.sub, admin: holdsRoleClaim(payload, adminClaim), claims: payload };
      return principal;
    } catch (error) {
      if (error instanceof errors.JOSEError) return null;
      throw error;
    }
  };
}
