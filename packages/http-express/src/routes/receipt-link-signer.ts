import { configurationError } from "@org/payments-core";
import { SignJWT, errors, jwtVerify } from "jose";
import type { ReceiptLinkOptions } from "./receipt-options.js";

/** The header type and audience set receipt links apart from login tokens, even under a shared secret. */
const LINK_TYPE = "payments-receipt-link+jwt";
const LINK_AUDIENCE = "payments:receipt-link";
const MIN_SECRET_BYTES = 32;
const DEFAULT_EXPIRY_SECONDS = 7 * 86_400;
const MAX_EXPIRY_SECONDS = 90 * 86_400;

export type OpenedLink = { ok: true; paymentId: string } | { ok: false; reason: "expired" | "invalid" };

export interface ReceiptLinkSigner {
  mint(paymentId: string): Promise<{ token: string; expiresAt: string }>;
  open(token: string): Promise<OpenedLink>;
}

/**
 * Signs and checks receipt links: a compact JWT (HS256) holding only the payment id and an expiry. Verification
 * tries each configured secret, so links signed before a rotation keep opening until they expire; a link no
 * secret verifies is invalid, whatever its claims say.
 */
export function createReceiptLinkSigner(options: ReceiptLinkOptions, context: { bearerSecret?: string | Uint8Array | undefined; now?: () => Date } = {}): ReceiptLinkSigner {
  const encoder = new TextEncoder();
  if (!Array.isArray(options.secrets) || options.secrets.length === 0) throw configurationError("receipt links need at least one secret");
  const keys = options.secrets.map((secret, i) => {
    const bytes = typeof secret === "string" ? encoder.encode(secret) : undefined;
    if (!bytes || bytes.length < MIN_SECRET_BYTES) throw configurationError(`receipt link secret ${i} must be a string of at least ${MIN_SECRET_BYTES} bytes`);
    return bytes;
  });
  const bearer = typeof context.bearerSecret === "string" ? encoder.encode(context.bearerSecret) : context.bearerSecret;
  if (bearer && keys.some((key) => Buffer.compare(Buffer.from(key), Buffer.from(bearer)) === 0)) {
    throw configurationError("receipt link secrets must differ from the bearer JWT secret");
  }
  const expiresIn = options.expiresInSeconds ?? DEFAULT_EXPIRY_SECONDS;
  if (!Number.isSafeInteger(expiresIn) || expiresIn < 60 || expiresIn > MAX_EXPIRY_SECONDS) {
    throw configurationError(`receipt link expiresInSeconds must be a whole number from 60 to ${MAX_EXPIRY_SECONDS}`);
  }
  const now = context.now ?? (() => new Date());
  const [signingKey] = keys as [Uint8Array, ...Uint8Array[]];

  return {
    async mint(paymentId) {
      const issuedAt = Math.floor(now().getTime() / 1000);
      const expiresAt = issuedAt + expiresIn;
      const token = await new SignJWT({ pid: paymentId })
        .setProtectedHeader({ alg: "HS256", typ: LINK_TYPE })
        .setAudience(LINK_AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAt)
        .sign(signingKey);
      return { token, expiresAt: new Date(expiresAt * 1000).toISOString() };
    },
    async open(token) {
      for (const key of keys) {
        try {
          const { payload } = await jwtVerify(token, key, {
            algorithms: ["HS256"],
            typ: LINK_TYPE,
            audience: LINK_AUDIENCE,
            requiredClaims: ["exp", "iat"],
            currentDate: now(),
            // Instances of a fleet may disagree on the time by a little; not by more.
            clockTolerance: 30,
          });
          return typeof payload.pid === "string" && payload.pid.length > 0 ? { ok: true, paymentId: payload.pid } : { ok: false, reason: "invalid" };
        } catch (error) {
          // Only a signature that fails under this key sends us to the next one; jose checks the signature
          // before the claims, so "expired" always means a genuine link that timed out.
          if (error instanceof errors.JWSSignatureVerificationFailed) continue;
          if (error instanceof errors.JWTExpired) return { ok: false, reason: "expired" };
          if (error instanceof errors.JOSEError) return { ok: false, reason: "invalid" };
          throw error;
        }
      }
      return { ok: false, reason: "invalid" };
    },
  };
}
