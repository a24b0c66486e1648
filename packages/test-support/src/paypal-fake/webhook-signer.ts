import { execFile } from "node:child_process";
import { createSign, generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { crc32 } from "node:zlib";

const run = promisify(execFile);

/** Headers PayPal sends with a webhook delivery (lower-case, as Node presents them). */
export interface PayPalWebhookHeaders {
  "paypal-transmission-id": string;
  "paypal-transmission-time": string;
  "paypal-transmission-sig": string;
  "paypal-cert-url": string;
  "paypal-auth-algo": string;
  [name: string]: string;
}

export interface SignOptions {
  webhookId: string;
  transmissionTime?: Date;
  transmissionId?: string;
  /** Override the advertised certificate URL (to point at another certificate or host). */
  certUrl?: string;
}

export interface PayPalWebhookSigner {
  readonly certUrl: string;
  readonly certificatePem: string;
  /** Signs raw body bytes the way PayPal does: SHA256withRSA over `id|time|webhookId|crc32(body)`. */
  sign(rawBody: string | Uint8Array, options: SignOptions): PayPalWebhookHeaders;
}

/**
 * A throwaway key and self-signed X.509 certificate. Node can sign but cannot issue certificates, so the
 * `openssl` command-line tool writes the certificate; nothing leaves the machine.
 */
export async function createPayPalWebhookSigner(
  options: { certUrl?: string; validDays?: number } = {},
): Promise<PayPalWebhookSigner> {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const dir = await mkdtemp(join(tmpdir(), "paypal-fake-cert-"));
  let certificatePem: string;
  try {
    await writeFile(join(dir, "key.pem"), keyPem, { mode: 0o600 });
    await run("openssl", [
      "req", "-new", "-x509", "-key", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
      "-days", String(options.validDays ?? 2), "-subj", "/CN=messageverificationcerts.paypal.com",
    ]);
    certificatePem = await readFile(join(dir, "cert.pem"), "utf8");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const certUrl =
    options.certUrl ?? `https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fake-${randomUUID().slice(0, 8)}`;
  return {
    certUrl,
    certificatePem,
    sign(rawBody, signOptions) {
      const transmissionId = signOptions.transmissionId ?? randomUUID();
      const transmissionTime = (signOptions.transmissionTime ?? new Date()).toISOString();
      const bytes = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody;
      const message = `${transmissionId}|${transmissionTime}|${signOptions.webhookId}|${crc32(bytes)}`;
      const signature = createSign("sha256").update(message).sign(keyPem, "base64");
      return {
        "paypal-transmission-id": transmissionId,
        "paypal-transmission-time": transmissionTime,
        "paypal-transmission-sig": signature,
        "paypal-cert-url": signOptions.certUrl ?? certUrl,
        "paypal-auth-algo": "SHA256withRSA",
      };
    },
  };
}
