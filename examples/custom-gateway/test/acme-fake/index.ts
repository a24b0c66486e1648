export { startAcmeFake, type AcmeFake } from "./server.js";
export type { AcmeFault } from "./faults.js";
export { ACME_SIGNATURE_HEADER } from "./webhook-signing.js";
