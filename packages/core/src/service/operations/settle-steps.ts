import { settleCancel } from "./cancel-payment.js";
import { settleCapture } from "./capture-payment.js";
import { settleConfirmation } from "./confirm-payment.js";
import type { SettleSteps } from "./operation.js";
import { settleRefundCall } from "./refund-payment.js";
import { settleSetup } from "../customers/save-payment-method.js";
import { settleDetach } from "../customers/detach-payment-method.js";

/**
 * Phase 3 of every gateway call, by the call's `op`, each the settle step of the operation that makes that call. The
 * runner reads it both right after phase 2 and when recovery resumes a stored call long after.
 */
export const SETTLE_STEPS: SettleSteps = {
  create: settleConfirmation,
  resume: settleConfirmation,
  capture: settleCapture,
  cancel: settleCancel,
  refund: settleRefundCall,
  setup: settleSetup,
  resume_setup: settleSetup,
  detach: settleDetach,
};
