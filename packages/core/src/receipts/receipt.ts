import type { LineItem, Payment, Refund } from "../domain/payment.js";
import { PaymentError } from "../errors/index.js";
import { receiptTaxRate } from "./receipt-tax-rate.js";

export interface Receipt {
  number: string;
  paymentId: string;
  issuedAt: string;
  currency: string;
  description: string | null;
  customerEmail: string | null;
  references: Record<string, string>;
  lines: LineItem[];
  subtotal: number;
  tax: number;
  /** The tax rate as an exact decimal string ("0.0875") when the tax lines name one rate; null otherwise. */
  taxRate: string | null;
  total: number;
  amountCaptured: number;
  refunds: Array<{ id: string; amount: number; reason: string; at: string }>;
  amountRefunded: number;
  /** What the customer finally paid: captured minus refunded. */
  netPaid: number;
  status: Payment["status"];
}

/**
 * The receipt of a payment that has been captured. Without fare lines the payment is a single line; with them the
 * lines are the fare's, and they always sum to the payment amount (checked, since a receipt that does not add up
 * is worse than none). `issuedAt` is when the payment succeeded (its history says; later refunds do not move it).
 */
export function buildReceipt(payment: Payment, refunds: readonly Refund[], issuedAt: string = payment.updatedAt): Receipt {
  if (payment.receiptNumber === null) {
    throw new PaymentError("not_found", `payment ${payment.id} has no receipt: it has not been captured`, {
      details: { paymentId: payment.id, status: payment.status },
    });
  }
  const lines: LineItem[] =
    payment.lineItems.length > 0
      ? payment.lineItems
      : [{ code: "payment", description: payment.description ?? "Payment", amount: payment.amount, kind: "charge" }];
  const tax = lines.filter((l) => l.kind === "tax").reduce((s, l) => s + l.amount, 0);
  const total = lines.reduce((s, l) => s + (l.kind === "discount" ? -l.amount : l.amount), 0);
  if (total !== payment.amount) {
    throw new PaymentError("internal", `receipt lines of ${payment.id} do not add up to the payment amount`);
  }
  const settled = refunds.filter((r) => r.status === "succeeded");
  return {
    number: payment.receiptNumber,
    paymentId: payment.id,
    issuedAt,
    currency: payment.currency,
    description: payment.description,
    customerEmail: payment.customerEmail,
    references: payment.references,
    lines,
    subtotal: total - tax,
    tax,
    taxRate: receiptTaxRate(lines),
    total,
    amountCaptured: payment.amountCaptured,
    refunds: settled.map((r) => ({ id: r.id, amount: r.amount, reason: r.reason, at: r.updatedAt })),
    amountRefunded: payment.amountRefunded,
    netPaid: payment.amountCaptured - payment.amountRefunded,
    status: payment.status,
  };
}
