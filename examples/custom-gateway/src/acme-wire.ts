import { PaymentError } from "@org/payments-core";

/*
 * Acme Pay's JSON as this adapter reads it (test/acme-fake/API.md). Only the fields the adapter uses are typed;
 * an answer that lacks them is not trusted (see `asCharge`).
 */

export interface AcmeRefund {
  object: "refund";
  id: string;
  charge_id: string;
  charge_reference: string | null;
  reference: string | null;
  amount: number;
  currency: string;
  status: "pending" | "succeeded" | "failed";
  failure_reason: string | null;
  created_at: string;
}

export interface AcmeCharge {
  object: "charge";
  id: string;
  reference: string | null;
  amount: number;
  currency: string;
  status: string;
  amount_capturable: number;
  amount_captured: number;
  amount_refunded: number;
  decline: { code: string } | null;
  action: { type: string; url: string } | null;
  authorization_expires_at: string | null;
  created_at: string;
  refunds: AcmeRefund[];
}

export interface AcmeEvent {
  id: string;
  type: string;
  created_at: string;
  data: { object: unknown };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
const isMinorUnits = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;

/**
 * An answer that says it succeeded but is not a readable object may still mean Acme acted (a proxy's page, a
 * truncated body): it is an unknown outcome, so the core looks the charge up instead of guessing.
 */
function unreadable(what: string): PaymentError {
  return new PaymentError("gateway_outcome_unknown", `Acme's answer is not a readable ${what}`, {
    retryAfterSeconds: 1,
    details: { provider: "acme" },
  });
}

export function asRefund(body: unknown): AcmeRefund {
  if (!isRecord(body) || body.object !== "refund" || typeof body.id !== "string" || !isMinorUnits(body.amount)) throw unreadable("refund");
  return body as unknown as AcmeRefund;
}

export function asCharge(body: unknown): AcmeCharge {
  const amounts = ["amount", "amount_capturable", "amount_captured", "amount_refunded"];
  if (!isRecord(body) || body.object !== "charge" || typeof body.id !== "string" || !amounts.every((field) => isMinorUnits(body[field]))) {
    throw unreadable("charge");
  }
  if (!Array.isArray(body.refunds)) throw unreadable("charge");
  body.refunds.forEach(asRefund);
  return body as unknown as AcmeCharge;
}

export function asEvent(body: unknown): AcmeEvent {
  if (!isRecord(body) || typeof body.id !== "string" || typeof body.type !== "string" || !isRecord(body.data)) {
    throw new PaymentError("validation_error", "the webhook body is not an Acme event");
  }
  return body as unknown as AcmeEvent;
}
