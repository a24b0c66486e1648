import { z } from "zod";
import { EVENT_SCHEMA_VERSION, PAYMENT_EVENT_TYPES } from "./events.js";
import type { PaymentEvent, PaymentEventType } from "./events.js";
import { PAYMENT_STATUSES, REFUND_STATUSES } from "./payment.js";
import { EDITABLE_FIELDS } from "./payment-edits.js";
import { DISPUTE_REASONS, DISPUTE_STATUSES } from "./dispute.js";
import type { PaymentStatus } from "./payment.js";

/**
 * The payload contract of every event type, as zod schemas (for TypeScript consumers) and JSON Schema (for
 * everyone else), documented in EVENTS.md. Objects are not strict on purpose: adding a field is a compatible
 * change that keeps `schemaVersion`, so consumers must ignore fields they do not know.
 */

/** Minor units: a safe integer, never a float or a string. */
const minorUnits = z.int().min(0).describe("amount in minor units of the currency (a safe integer)");
const currency = z.string().regex(/^[A-Z]{3}$/).describe("ISO 4217 code");
const timestamp = z.iso.datetime().describe("ISO-8601 UTC timestamp");

const paymentSnapshot = (statuses: readonly PaymentStatus[]) =>
  z.object({
    id: z.string().min(1),
    owner: z.string().min(1).describe("the user id the payment belongs to"),
    status: z.enum(statuses as [PaymentStatus, ...PaymentStatus[]]),
    amount: minorUnits,
    currency,
    provider: z.string().min(1),
    providerPaymentId: z.string().nullable(),
    amountCaptured: minorUnits,
    amountRefunded: minorUnits,
    references: z.record(z.string(), z.string()).describe("booking, order, trip, ...: free string keys"),
    version: z.int().min(1).describe("the payment's version after this change; orders a payment's events"),
  });

const refundSnapshot = (status: (typeof REFUND_STATUSES)[number]) =>
  z.object({
    id: z.string().min(1),
    amount: z.int().min(1).describe("amount in minor units of the currency (a positive safe integer)"),
    currency,
    status: z.literal(status),
    reason: z.string(),
    providerRefundId: z.string().nullable(),
  });

/** Why a payment or refund failed (event-failure-reason.ts): storable text, never card data. */
const failureReason = z.object({
  code: z.string().min(1).describe("the stable error code: card_declined, insufficient_funds, expired_card, processing_error, ..."),
  declineCode: z.string().min(1).optional().describe("the provider's own decline code, when it reported one"),
  message: z.string().describe("a message safe to store and show; card numbers are masked"),
});

const disputeSnapshot = z.object({
  id: z.string().min(1).describe("our dispute id (dp_…)"),
  providerDisputeId: z.string().min(1).describe("the provider's id for it"),
  amount: z.int().min(1).describe("the disputed amount in minor units of the currency (a positive safe integer)"),
  currency,
  status: z.enum(DISPUTE_STATUSES).describe("warning_* are inquiries (no money moved yet); won, lost and warning_closed are final"),
  reason: z.enum(DISPUTE_REASONS),
  providerReason: z.string().describe("the provider's own reason word"),
  evidenceDueBy: timestamp.nullable().describe("the provider's deadline for evidence"),
  openedAt: timestamp,
  closedAt: timestamp.nullable(),
});

const previousDisputeStatus = z.enum(DISPUTE_STATUSES).describe("the dispute's status before this change");

const previousStatus = z.enum(PAYMENT_STATUSES).describe("the payment's status before this change");

const envelope = <T extends PaymentEventType, D extends z.ZodType>(type: T, data: D, description: string) =>
  z
    .object({
      id: z.string().min(1).describe("unique per event: deduplicate on it (delivery is at least once)"),
      type: z.literal(type),
      schemaVersion: z.literal(EVENT_SCHEMA_VERSION),
      paymentId: z.string().min(1),
      occurredAt: timestamp,
      data,
    })
    .describe(description);

const statusEvent = <T extends PaymentEventType>(type: T, statuses: readonly PaymentStatus[], description: string) =>
  envelope(type, z.object({ payment: paymentSnapshot(statuses), previousStatus }), description);

const ANY_STATUS = PAYMENT_STATUSES;

export const PAYMENT_EVENT_SCHEMAS = {
  "payment.created": envelope("payment.created", z.object({ payment: paymentSnapshot(["pending"]) }), "A payment was created."),
  "payment.processing": statusEvent("payment.processing", ["processing"], "Confirmation started; the gateway is being asked."),
  "payment.confirmation_refused": envelope(
    "payment.confirmation_refused",
    z.object({
      payment: paymentSnapshot(["pending", "requires_action"]),
      previousStatus,
      error: failureReason.optional().describe("why the provider refused the request"),
    }),
    "The provider refused the confirm request itself (an invalid request, not a decline): no money moved, and the payment can be confirmed again.",
  ),
  "payment.requires_action": envelope(
    "payment.requires_action",
    z.object({
      payment: paymentSnapshot(["requires_action"]),
      previousStatus,
      error: failureReason
        .optional()
        .describe("why the customer is needed, when the provider said: authentication_required for an off-session charge the bank wants authenticated"),
    }),
    "The customer must act (3-D Secure, PayPal approval) before the payment can go on; for an off-session charge, bring them back to authenticate.",
  ),
  "payment.authorized": statusEvent("payment.authorized", ["authorized"], "Funds are held (manual capture); capture them before authorization expiry."),
  "payment.succeeded": statusEvent("payment.succeeded", ["succeeded"], "The money was captured."),
  "payment.failed": envelope(
    "payment.failed",
    z.object({
      payment: paymentSnapshot(["failed"]),
      previousStatus,
      // Optional in the schema only so that events written before it existed still validate; every payment.failed
      // the service emits carries it.
      error: failureReason.optional().describe("why it failed: the stable code, the provider's decline code, a safe message"),
    }),
    "The payment failed (declined, or a definite gateway error); terminal.",
  ),
  "payment.canceled": statusEvent("payment.canceled", ["canceled"], "The payment was canceled (authorization released); terminal."),
  "payment.refunded": envelope(
    "payment.refunded",
    z.object({
      payment: paymentSnapshot(["partially_refunded", "refunded"]),
      previousStatus,
      refund: refundSnapshot("succeeded").optional().describe("the refund that succeeded; absent when reconciliation corrected the status"),
    }),
    "A refund succeeded: the payment is partially_refunded or refunded.",
  ),
  "payment.corrected": statusEvent(
    "payment.corrected",
    ANY_STATUS,
    "Reconciliation corrected the payment to the gateway's truth (follows the event of the new status).",
  ),
  "payment.disputed": envelope(
    "payment.disputed",
    z.object({ payment: paymentSnapshot(ANY_STATUS), dispute: disputeSnapshot }),
    "The provider opened a dispute (a chargeback, or an inquiry): the dispute is recorded and the payment flagged, its status unchanged. Followed by dispute.updated and dispute.closed as the provider moves it.",
  ),
  "payment.updated": envelope(
    "payment.updated",
    z.object({
      payment: paymentSnapshot(ANY_STATUS),
      changedFields: z.array(z.enum(EDITABLE_FIELDS)).min(1).describe("the fields the update changed, by name; their values are read from the payment"),
    }),
    "Fields of the payment changed (updatePayment): before confirmation any editable field, after it only description and metadata; the status is unchanged.",
  ),
  "refund.created": envelope(
    "refund.created",
    z.object({ payment: paymentSnapshot(["succeeded", "partially_refunded"]), refund: refundSnapshot("pending") }),
    "A refund was requested; its amount is reserved until it succeeds or fails.",
  ),
  "refund.failed": envelope(
    "refund.failed",
    // Any status: reconciliation may have corrected the payment while the refund was outstanding.
    z.object({
      payment: paymentSnapshot(ANY_STATUS),
      refund: refundSnapshot("failed"),
      // Optional for events written before it existed; every refund.failed the service emits carries it.
      error: failureReason.optional().describe("why the refund failed (refund.reason stays the reason it was asked for)"),
    }),
    "A refund failed; its reservation was released.",
  ),
  "dispute.updated": envelope(
    "dispute.updated",
    z.object({ payment: paymentSnapshot(ANY_STATUS), dispute: disputeSnapshot, previousDisputeStatus }),
    "The provider moved a dispute to a status that is not final (needs_response → under_review, an inquiry escalated), or changed its amount or evidence deadline.",
  ),
  "dispute.closed": envelope(
    "dispute.closed",
    z.object({
      payment: paymentSnapshot(ANY_STATUS),
      dispute: disputeSnapshot,
      previousDisputeStatus: previousDisputeStatus.optional().describe("absent when the provider's first report of the dispute was already final"),
    }),
    "A dispute reached a final status: won (the money returns), lost (it stays with the customer) or warning_closed (an inquiry that never became a chargeback).",
  ),
} satisfies Record<PaymentEventType, z.ZodType>;

/** Any event, by its `type`. */
export const paymentEventSchema = z.discriminatedUnion(
  "type",
  PAYMENT_EVENT_TYPES.map((type) => PAYMENT_EVENT_SCHEMAS[type]) as unknown as [
    (typeof PAYMENT_EVENT_SCHEMAS)[PaymentEventType],
    ...(typeof PAYMENT_EVENT_SCHEMAS)[PaymentEventType][],
  ],
);

/** Checks a received event against its type's schema; throws a `ZodError` naming what is wrong. */
export function parsePaymentEvent(value: unknown): PaymentEvent {
  return paymentEventSchema.parse(value) as PaymentEvent;
}

let jsonSchemas: Record<PaymentEventType, Record<string, unknown>> | undefined;

/**
 * The JSON Schema (draft 2020-12) of each event type, generated from the zod schemas, for consumers in other
 * languages and for contract tests. Computed on first use.
 */
export function paymentEventJsonSchemas(): Record<PaymentEventType, Record<string, unknown>> {
  if (!jsonSchemas) {
    const built: Partial<Record<PaymentEventType, Record<string, unknown>>> = {};
    for (const type of PAYMENT_EVENT_TYPES) {
      // Input mode leaves `additionalProperties` open: a field added later must not fail an older consumer.
      const schema: Record<string, unknown> = z.toJSONSchema(PAYMENT_EVENT_SCHEMAS[type], { io: "input" });
      built[type] = { $id: `urn:org:payments:event:${type}:v${EVENT_SCHEMA_VERSION}`, ...schema };
    }
    jsonSchemas = built as Record<PaymentEventType, Record<string, unknown>>;
  }
  return jsonSchemas;
}
