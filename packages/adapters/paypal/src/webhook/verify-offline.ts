import { verify, X509Certificate } from "node:crypto";
import { crc32 } from "node:zlib";
import { PaymentError } from "@org/payments-core";
import type { CertificateCache } from "./certificate-fetcher.js";
import type { PayPalTransmission } from "./webhook-headers.js";

/**
 * PayPal's offline check: SHA256withRSA over `transmissionId|transmissionTime|webhookId|crc32(raw body)` (CRC32 as
 * an unsigned decimal), verified with the public key of the certificate at `paypal-cert-url`. The CRC is over the
 * bytes as delivered, so a body that was parsed and re-serialized no longer verifies.
 */
export async function verifyOffline(
  rawBody: Uint8Array,
  transmission: PayPalTransmission,
  certUrl: URL,
  webhookId: string,
  certificates: CertificateCache,
  now: Date,
): Promise<void> {
  if (transmission.authAlgo.toUpperCase() !== "SHA256WITHRSA") {
    throw new PaymentError("webhook_signature_invalid", `unsupported PayPal auth algorithm ${transmission.authAlgo}`);
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(await certificates.get(certUrl));
  } catch (error) {
    throw new PaymentError("webhook_signature_invalid", "PayPal webhook certificate could not be loaded", { cause: error });
  }
  if (now < new Date(certificate.validFrom) || now > new Date(certificate.validTo)) {
    throw new PaymentError("webhook_signature_invalid", "PayPal webhook certificate is not valid now");
  }
  const message = `${transmission.transmissionId}|${transmission.transmissionTime}|${webhookId}|${crc32(rawBody)}`;
  const signature = Buffer.from(transmission.transmissionSig, "base64");
  if (!verify("sha256", Buffer.from(message, "utf8"), certificate.publicKey, signature)) {
    throw new PaymentError("webhook_signature_invalid", "PayPal webhook signature does not verify");
  }
}
