import type { PaymentService } from "@org/payments-core";
import { TEMPLATE_KEY, TEMPLATE_OWNER, TEMPLATE_REF } from "./copy-statements.js";

/** The kinds of payment a year holds, and their shares: most succeed, some are refunded, some wait for capture. */
export const TEMPLATE_SHARES = [0.8, 0.1, 0.1] as const;

/**
 * Makes one payment of each kind through the service, with placeholder owner, keys and reference, so that their
 * rows (every table the service writes) can be copied with those placeholders replaced. Returns their ids.
 */
export async function makeTemplates(service: PaymentService): Promise<string[]> {
  const ctx = (op: string, i: number) => ({ scope: TEMPLATE_OWNER, idempotencyKey: `${op}-${TEMPLATE_KEY}-${i}` });
  const create = (i: number, captureMethod: "automatic" | "manual") =>
    service.createPayment(
      {
        owner: TEMPLATE_OWNER,
        amount: 2500,
        currency: "USD",
        captureMethod,
        description: "Seat booking",
        references: { booking: `booking:${TEMPLATE_REF}` },
        metadata: { channel: "web" },
      },
      ctx("create", i),
    );
  const ids: string[] = [];
  const succeeded = await create(0, "automatic");
  await service.confirmPayment(succeeded.payment.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm", 0));
  ids.push(succeeded.payment.id);
  const refunded = await create(1, "automatic");
  await service.confirmPayment(refunded.payment.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm", 1));
  await service.refundPayment(refunded.payment.id, { amount: 500, reason: "seat changed" }, ctx("refund", 1));
  ids.push(refunded.payment.id);
  const authorized = await create(2, "manual");
  const confirmed = await service.confirmPayment(authorized.payment.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm", 2));
  if (confirmed.payment.status !== "authorized") throw new Error(`manual template ended ${confirmed.payment.status}`);
  ids.push(authorized.payment.id);
  return ids;
}
