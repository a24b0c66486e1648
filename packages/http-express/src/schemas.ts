import {
  DISPUTE_REASONS,
  DISPUTE_STATUSES,
  MAX_PAGE_LIMIT,
  PAYMENT_STATUSES,
  REFUND_STATUSES,
  SAVED_PAYMENT_METHOD_STATUSES,
  cancelPaymentSchema,
  capturePaymentSchema,
  confirmPaymentSchema,
  createCustomerSchema,
  createPaymentSchema,
  fareRequestSchema,
  refundPaymentSchema,
  savePaymentMethodSchema,
  type TextRule,
  updateCustomerSchema,
  updatePaymentSchema,
  textProblem,
  textProblemMessage,
} from "@org/payments-core";
import { z } from "zod";

/** Request and response shapes of the routes; the OpenAPI document is generated from these same schemas. */

/** A string under core's acceptable-text rules, for the text the router reads itself (query parameters, tariff names). */
function ruledText(rule: TextRule) {
  return z.string().superRefine((value, ctx) => {
    const problem = textProblem(value, rule);
    if (problem !== null) ctx.addIssue({ code: "custom", message: textProblemMessage(problem) });
  });
}

const minorUnits = z.int().min(1).max(Number.MAX_SAFE_INTEGER).describe("Safe integer of minor units (cents)");
const anyMinorUnits = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
const timestamp = z.string().describe("ISO-8601 UTC timestamp");

/**
 * `owner` only with the service role (which must name it) or as an admin; a customer's own token is the owner.
 * `offSession: true` (service, admin) charges `customerId`'s saved `paymentMethodId` (`spm_…`, else its default).
 */
export const createPaymentBody = createPaymentSchema.extend({
  amount: minorUnits,
  owner: createPaymentSchema.shape.owner.optional().describe("Service role (required) and admin only: the owner the payment is for"),
});
export const confirmPaymentBody = confirmPaymentSchema;
export const capturePaymentBody = capturePaymentSchema.extend({ amount: minorUnits.optional() });
export const cancelPaymentBody = cancelPaymentSchema;
export const refundPaymentBody = refundPaymentSchema.extend({ amount: minorUnits.optional() });
/** PATCH /payments/:id: every field optional; metadata and references are JSON merge patches (null removes a key). */
export const updatePaymentBody = updatePaymentSchema.extend({ amount: minorUnits.optional() });
/** POST /customers: `owner` as on POST /payments (service: required; admin: optional; an owner's token: absent). */
export const createCustomerBody = createCustomerSchema.extend({
  owner: createCustomerSchema.shape.owner.optional().describe("Service role (required) and admin only: the owner the customer is for"),
});
/** PATCH /customers/:id: every field optional; `null` clears email, name or the default; metadata is a JSON merge patch. */
export const updateCustomerBody = updateCustomerSchema;
/** POST /customers/:id/payment-methods: save a method without charging it. */
export const savePaymentMethodBody = savePaymentMethodSchema;
/** POST /customers/:id/payment-methods/:methodId/confirm takes nothing but the fact that the customer is back. */
export const confirmSavedPaymentMethodBody = z.object({}).strict();

// Tariff names are the host's own; a name with control characters or a card number cannot be one.
export const fareQuoteBody = fareRequestSchema.extend({ tariff: ruledText({ min: 1, max: 100, refuseCardNumbers: "identifier" }) }).strict();
export const cancellationQuoteBody = fareQuoteBody.pick({ tariff: true }).strict();

/**
 * A page size as a query parameter: digits only (no sign, exponent, fraction or leading zero), no more of them than
 * the largest page has, then at most that page. Validated, not clamped: a limit past it is the caller's mistake.
 */
const PAGE_LIMIT_DIGITS = new RegExp(`^[1-9][0-9]{0,${String(MAX_PAGE_LIMIT).length - 1}}$`);
const PAGE_LIMIT_MESSAGE = `must be a whole number from 1 to ${MAX_PAGE_LIMIT}`;

/** A date (midnight UTC) or an ISO 8601 time with a zone; parsed and calendar-checked by core's parseInstant. */
const instantParam = z.string().max(64).describe("A date (2026-03-01, midnight UTC) or an ISO 8601 time with a zone (2026-03-01T12:00:00Z)");

/** An amount bound in the query: digits only (no sign, decimal point or exponent), a safe integer of minor units. */
const minorUnitsParam = z
  .string()
  .regex(/^\d{1,16}$/, "must be a whole number of minor units")
  .transform(Number)
  .pipe(z.int().max(Number.MAX_SAFE_INTEGER, "must be a safe integer of minor units"));

/** A page size and the previous page's cursor, the same on every list. */
const pageLimitParam = z
  .string()
  .regex(PAGE_LIMIT_DIGITS, PAGE_LIMIT_MESSAGE)
  .transform(Number)
  .pipe(z.int().max(MAX_PAGE_LIMIT, PAGE_LIMIT_MESSAGE));
const cursorParam = z.string().describe("The nextCursor of the previous page, unchanged; anything else is 400 invalid_cursor");

/** A currency code in any case, matched as stored (upper case). */
const currencyParam = z
  .string()
  .regex(/^[A-Za-z]{3}$/, "must be an ISO 4217 code (3 letters)")
  .transform((code) => code.toUpperCase());

export const listPaymentsQuery = z
  .object({
    status: z.enum(PAYMENT_STATUSES).optional(),
    // The rules of the fields a payment is created with: a filter no payment could match is refused.
    provider: ruledText({ min: 1, max: 50, refuseCardNumbers: "identifier" }).optional(),
    owner: createPaymentSchema.shape.owner.optional(),
    from: instantParam.optional().describe("Created at or after; must be before to"),
    to: instantParam.optional().describe("Created before"),
    reference: z.string().max(600).describe("key:value (split at the first colon)").optional(),
    providerPaymentId: ruledText({ min: 1, max: 255, refuseCardNumbers: "identifier" })
      .optional()
      .describe("The provider's id of the payment or of one of its refunds, with provider and no other filter: a page of at most one"),
    updatedFrom: instantParam.optional().describe("Last updated at or after; must be before updatedTo"),
    updatedTo: instantParam.optional().describe("Last updated before"),
    customerId: createPaymentSchema.shape.customerId.describe("The customer's id, exactly as stored"),
    customerEmail: ruledText({ min: 1, max: 254 }).optional().describe("The customer's email, exactly as stored (no case folding)"),
    metadata: z.string().max(600).describe("key:value (split at the first colon): metadata[key] equals value").optional(),
    currency: currencyParam.optional(),
    amountMin: minorUnitsParam.optional().describe("Amount at least this many minor units (an integer, never a decimal)"),
    amountMax: minorUnitsParam.optional().describe("Amount at most this many minor units (an integer, never a decimal)"),
    disputed: z
      .enum(["true", "false"])
      .transform((flag) => flag === "true")
      .optional(),
    limit: pageLimitParam.optional(),
    cursor: cursorParam.optional(),
  })
  .strict();

/**
 * `status=needs_response` or `status=needs_response,warning_needs_response`: one status or several, comma-separated,
 * each one a dispute can have (the pattern says which, so a typo is 400 rather than an empty queue).
 */
const DISPUTE_STATUS_WORD = `(${DISPUTE_STATUSES.join("|")})`;
const disputeStatusesParam = z
  .string()
  .max(DISPUTE_STATUSES.join(",").length)
  .regex(new RegExp(`^${DISPUTE_STATUS_WORD}(,${DISPUTE_STATUS_WORD})*$`), `must be one or more of ${DISPUTE_STATUSES.join(", ")}, separated by commas`)
  .transform((text) => [...new Set(text.split(","))] as (typeof DISPUTE_STATUSES)[number][])
  .describe(`One dispute status or several separated by commas: ${DISPUTE_STATUSES.join(", ")}`);

/** GET /disputes: the operator's queue across payments (admin). */
export const listDisputesQuery = z
  .object({
    status: disputeStatusesParam.optional(),
    provider: ruledText({ min: 1, max: 50, refuseCardNumbers: "identifier" }).optional(),
    paymentId: ruledText({ min: 1, max: 200, refuseCardNumbers: "identifier" }).optional().describe("Only the disputes of this payment"),
    currency: currencyParam.optional(),
    openedFrom: instantParam.optional().describe("Opened at or after; must be before openedTo"),
    openedTo: instantParam.optional().describe("Opened before"),
    evidenceDueBefore: instantParam.optional().describe("Evidence due before this instant (disputes that take no more evidence are left out)"),
    limit: pageLimitParam.optional(),
    cursor: cursorParam.optional(),
  })
  .strict();

/** GET /customers: newest first; an owner sees their own, the service role names the owner, an admin may. */
export const listCustomersQuery = z
  .object({
    owner: createPaymentSchema.shape.owner.optional().describe("Required with a service token; an owner's token may name only itself; an admin any owner, or none for all"),
    email: ruledText({ min: 1, max: 254 }).optional().describe("The customer's email, exactly as stored (no case folding)"),
    deleted: z
      .enum(["true", "false"])
      .transform((flag) => flag === "true")
      .optional()
      .describe("true: only deleted customers; false: only live ones; absent: both"),
    limit: pageLimitParam.optional(),
    cursor: cursorParam.optional(),
  })
  .strict();

export const statsQuery = z
  .object({ since: instantParam.optional().describe("Created at or after; must be before until"), until: instantParam.optional().describe("Created before") })
  .strict();
export const receiptQuery = z.object({ format: z.enum(["json", "text", "html"]).optional() }).strict();

const lineItem = z.object({
  code: z.string(),
  description: z.string(),
  amount: anyMinorUnits,
  kind: z.enum(["charge", "discount", "tax"]).optional(),
  quantity: z.string().optional(),
});

export const paymentResponse = z.object({
  id: z.string(),
  owner: z.string(),
  amount: minorUnits,
  currency: z.string(),
  status: z.enum(PAYMENT_STATUSES),
  provider: z.string(),
  providerPaymentId: z.string().nullable(),
  paymentMethodId: z.string().nullable(),
  paymentMethodType: z.string().nullable(),
  checkoutSessionId: z.string().nullable(),
  customerId: z.string().nullable(),
  customerEmail: z.string().nullable(),
  references: z.record(z.string(), z.string()),
  description: z.string().nullable(),
  captureMethod: z.enum(["automatic", "manual"]),
  amountCaptured: anyMinorUnits,
  amountRefunded: anyMinorUnits,
  amountRefundReserved: anyMinorUnits,
  authorizationExpiresAt: timestamp.nullable(),
  nextAction: z
    .object({ type: z.enum(["redirect", "use_sdk"]), url: z.string().optional(), clientSecret: z.string().optional() })
    .nullable(),
  lastError: z.object({ code: z.string(), declineCode: z.string().optional(), message: z.string() }).nullable(),
  disputed: z.boolean(),
  offSession: z.boolean().describe("Charged with a saved method without the customer present (paymentMethodId is then ours, spm_…)"),
  lineItems: z.array(lineItem),
  metadata: z.record(z.string(), z.string()),
  receiptNumber: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
  version: z.int().min(1),
});

export const refundResponse = z.object({
  id: z.string(),
  paymentId: z.string(),
  amount: minorUnits,
  currency: z.string(),
  status: z.enum(REFUND_STATUSES),
  reason: z.string(),
  actor: z.string(),
  providerRefundId: z.string().nullable(),
  failure: z.object({ code: z.string(), declineCode: z.string().optional(), message: z.string() }).nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const disputeResponse = z.object({
  id: z.string(),
  paymentId: z.string(),
  provider: z.string(),
  providerDisputeId: z.string().describe("The provider's id (dp_… on Stripe, PP-D-… on PayPal); unique per provider"),
  providerPaymentId: z.string().nullable(),
  amount: minorUnits.describe("Disputed amount in minor units (may be less than the payment: a partial dispute)"),
  currency: z.string(),
  status: z.enum(DISPUTE_STATUSES).describe("warning_* are inquiries (no money moved yet); warning_closed, won and lost are final"),
  reason: z.enum(DISPUTE_REASONS),
  providerReason: z.string().describe("The provider's own reason word"),
  evidenceDueBy: timestamp.nullable().describe("The last moment the provider accepts evidence; null once it no longer does, or if it never said"),
  statusHistory: z
    .array(z.object({ status: z.enum(DISPUTE_STATUSES), providerStatus: z.string(), at: timestamp }))
    .describe("Every status the dispute was reported in, oldest first; the last is status"),
  openedAt: timestamp,
  closedAt: timestamp.nullable(),
  reportedAt: timestamp.describe("The provider's time of the last report applied; an older report is stale"),
  createdAt: timestamp,
  updatedAt: timestamp,
  version: z.int().min(1),
});

/**
 * What the customer must do next: as on a payment, the client secret rides along (Stripe.js needs it to run the
 * bank's challenge in the browser); it is the caller's own object's, and the router never logs a response body.
 */
const nextAction = z.object({ type: z.enum(["redirect", "use_sdk"]), url: z.string().optional(), clientSecret: z.string().optional() });

export const customerResponse = z.object({
  id: z.string().describe("Ours: cus_…"),
  owner: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  metadata: z.record(z.string(), z.string()),
  providerCustomerIds: z.record(z.string(), z.string()).describe("The provider's customer id, by provider (made when a method is first saved there)"),
  defaultPaymentMethodId: z.string().nullable().describe("The saved method an off-session charge uses when it names none"),
  deletedAt: timestamp.nullable().describe("Set once deleted: the record stays (payments name it), with every method detached"),
  createdAt: timestamp,
  updatedAt: timestamp,
  version: z.int().min(1),
});

export const savedPaymentMethodResponse = z
  .object({
    id: z.string().describe("Ours: spm_…, what an off-session payment names as paymentMethodId"),
    customerId: z.string(),
    owner: z.string(),
    provider: z.string(),
    status: z.enum(SAVED_PAYMENT_METHOD_STATUSES).describe("requires_action: the bank wants the customer to authenticate the saving (then confirm)"),
    type: z.string(),
    brand: z.string().nullable(),
    last4: z.string().nullable().describe("The last four digits only: a card number is never stored or answered"),
    expMonth: z.int().min(1).max(12).nullable(),
    expYear: z.int().nullable(),
    providerPaymentMethodId: z.string().nullable().describe("The provider's reusable token (Stripe pm_…, PayPal's payment token)"),
    providerSetupId: z.string().nullable().describe("The provider's setup object while saving (Stripe seti_…, PayPal's setup token)"),
    nextAction: nextAction.nullable(),
    lastError: z.object({ code: z.string(), declineCode: z.string().optional(), message: z.string() }).nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    version: z.int().min(1),
  })
  .describe("A saved payment method: the provider's token and what identifies the card to a person, never its number");

export const customerList = z.object({ data: z.array(customerResponse), nextCursor: z.string().nullable() });
export const savedPaymentMethodList = z.object({ data: z.array(savedPaymentMethodResponse) });

export const refundResult = z.object({ refund: refundResponse, payment: paymentResponse });
export const paymentList = z.object({ data: z.array(paymentResponse), nextCursor: z.string().nullable() });
export const refundList = z.object({ data: z.array(refundResponse) });
export const paymentDisputeList = z.object({ data: z.array(disputeResponse) });
export const disputeList = z.object({ data: z.array(disputeResponse), nextCursor: z.string().nullable() });

export const fareQuoteResponse = z.object({
  tariff: z.string(),
  currency: z.string(),
  distanceMeters: z.int(),
  durationSeconds: z.int(),
  surge: z.string(),
  lines: z.array(lineItem),
  subtotal: anyMinorUnits,
  tax: anyMinorUnits,
  total: anyMinorUnits,
});

export const receiptResponse = z.object({
  number: z.string(),
  paymentId: z.string(),
  issuedAt: timestamp,
  currency: z.string(),
  description: z.string().nullable(),
  customerEmail: z.string().nullable(),
  references: z.record(z.string(), z.string()),
  lines: z.array(lineItem),
  subtotal: z.int(),
  tax: z.int(),
  taxRate: z.string().nullable().describe("The tax rate as an exact decimal string (\"0.0875\"), when the tax lines name one rate"),
  total: z.int(),
  amountCaptured: anyMinorUnits,
  refunds: z.array(z.object({ id: z.string(), amount: minorUnits, reason: z.string(), at: timestamp })),
  amountRefunded: anyMinorUnits,
  netPaid: z.int(),
  status: z.enum(PAYMENT_STATUSES),
});

/**
 * A sum of minor units: a decimal string, because a sum of safe integers is not one (two payments of 2^53 - 1 make
 * "18014398509481982"), and a JSON number past 2^53 is rounded by every reader.
 */
const minorUnitsTotal = z
  .string()
  .regex(/^-?\d+$/)
  .describe("Exact sum of minor units as a decimal string (may exceed 2^53: parse with BigInt, not Number)");

export const statsResponse = z.object({
  rows: z.array(
    z.object({
      status: z.enum(PAYMENT_STATUSES),
      provider: z.string(),
      currency: z.string(),
      count: z.int(),
      amount: minorUnitsTotal,
      amountCaptured: minorUnitsTotal,
      amountRefunded: minorUnitsTotal,
    }),
  ),
  byStatus: z.record(z.string(), z.int()),
  byProvider: z.record(z.string(), z.int()),
  byCurrency: z.array(
    z.object({ currency: z.string(), count: z.int(), captured: minorUnitsTotal, refunded: minorUnitsTotal, netRevenue: minorUnitsTotal }),
  ),
  disputes: z
    .object({
      byStatus: z.partialRecord(z.enum(DISPUTE_STATUSES), z.int().min(0)).describe("Disputes per status; a status none is in is absent"),
      byCurrency: z.array(
        z.object({
          currency: z.string(),
          count: z.int().min(0),
          disputed: minorUnitsTotal.describe("Everything disputed, in minor units (exact decimal string)"),
          open: minorUnitsTotal.describe("Still undecided (not warning_closed, won or lost)"),
          won: minorUnitsTotal,
          lost: minorUnitsTotal,
        }),
      ),
    })
    .describe("Disputes opened in the window (since/until on their opening, not their payment's creation); currencies are never summed together"),
});

export const paymentMethodsResponse = z.object({
  defaultProvider: z.string(),
  providers: z.array(
    z.object({
      name: z.string(),
      manualCapture: z.boolean(),
      partialCapture: z.boolean(),
      testPaymentMethods: z.array(z.string()),
    }),
  ),
});

export const webhookResponse = z.object({
  received: z.literal(true),
  status: z.enum(["applied", "ignored", "duplicate", "held", "orphaned", "failed"]),
  eventId: z.string(),
});

export const healthResponse = z.object({
  status: z.enum(["ok", "unavailable"]),
  checks: z.record(z.string(), z.object({ status: z.enum(["ok", "unavailable"]), detail: z.string().optional() })),
});

export const errorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    declineCode: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
    requestId: z.string().optional().describe("On 500 internal only (which carries no details): quote it when reporting the error"),
  }),
});

/** A 500 says that it happened and which request it was, nothing more: its cause is in the log under that id. */
export const internalErrorResponse = z.object({
  error: z.strictObject({
    code: z.literal("internal"),
    message: z.string(),
    requestId: z.string().describe("The X-Request-Id of the request; the log line with the cause carries it"),
  }),
});
