import { createHmac } from "node:crypto";

export const ACME_SIGNATURE_HEADER = "acme-signature";

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, as Acme signs every delivery (API.md, "Webhooks"). */
export function signAcmeDelivery(rawBody: string, secret: string, sentAt: Date): string {
  const t = Math.floor(sentAt.getTime() / 1000);
  const v1 = createHmac("sha256", secret).update(`${t}.${rawBody}`).digest("hex");
  return `t=${t},v1=${v1}`;
}
