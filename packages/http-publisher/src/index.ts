export { createSignedHttpPublisher, SignedHttpPublisherError } from "./signed-http-publisher.js";
export type { SignedHttpPublisherOptions } from "./signed-http-publisher.js";
export { verifyPaymentsSignature } from "./verify-payments-signature.js";
export type { PaymentsSignatureCheck, VerifyPaymentsSignatureOptions } from "./verify-payments-signature.js";
export { PAYMENTS_SIGNATURE_HEADER, PAYMENTS_EVENT_ID_HEADER } from "./payments-signature.js";
