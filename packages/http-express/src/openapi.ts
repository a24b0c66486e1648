import { PAYMENT_ERROR_CODES, errorCodeRule } from "@org/payments-core";
import { z } from "zod";
import { RATE_LIMITERS } from "./rate-limit/rate-limit-options.js";
import { RECEIPT_LINK_PAGE_HEADERS, receiptLinkPageOperation, receiptLinkResponse } from "./routes/receipt-link-openapi.js";
import * as s from "./schemas.js";

type Schema = z.ZodType;

function json(schema: Schema, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

const errorRef = { $ref: "#/components/schemas/Error" };
const internalErrorRef = { $ref: "#/components/schemas/InternalError" };
const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const headerRef = (name: keyof typeof RESPONSE_HEADERS) => ({ $ref: `#/components/headers/${name}` });

/**
 * Every header the router sets on a response (besides Content-Type and Node's own), documented once and referenced
 * from each response that can carry it: generated clients read the replay marker and the waits from here.
 */
const RESPONSE_HEADERS = {
  "X-Request-Id": {
    description: "The request's id: a well-formed incoming X-Request-Id, or a new one. Every log line of the request carries it.",
    schema: { type: "string", maxLength: 128 },
  },
  "Idempotent-Replayed": {
    description: "`true` when this response replays the stored outcome of an earlier request with the same Idempotency-Key; absent otherwise",
    schema: { type: "string", enum: ["true"] },
  },
  "Retry-After": {
    description: "Seconds to wait before retrying (with the same Idempotency-Key where the operation takes one)",
    schema: { type: "integer", minimum: 0 },
  },
  RateLimit: {
    description:
      'The caller\'s remaining quota in the window, per IETF draft-ietf-httpapi-ratelimit-headers-08 (`"<policy>"; r=<remaining>; t=<seconds to reset>`); ' +
      `one entry per limiter that counted the request, named ${RATE_LIMITERS.map((name) => `"${name}"`).join(", ")}`,
    schema: { type: "string" },
  },
  "RateLimit-Policy": {
    description: 'The quota policies that apply (`"<policy>"; q=<limit>; w=<window seconds>; pk=<partition key>`), per the same draft',
    schema: { type: "string" },
  },
  "WWW-Authenticate": { description: "The Bearer challenge", schema: { type: "string", const: 'Bearer realm="payments"' } },
  "X-Content-Type-Options": { description: "`nosniff`: the receipt's text and HTML are never content-sniffed", schema: { type: "string", const: "nosniff" } },
  "Content-Security-Policy": {
    description: "On the HTML receipt: a self-contained page (inline styles only, no scripts, not framed)",
    schema: { type: "string" },
  },
} as const;

/** A status whose answer may say when to retry: a code of the status names a wait, or the provider's answer did. */
const RETRY_AFTER_STATUSES = new Set([
  ...PAYMENT_ERROR_CODES.map(errorCodeRule)
    .filter((rule) => rule.retryAfterSeconds !== undefined)
    .map((rule) => rule.httpStatus),
  502,
  503,
]);

/** Which of the shared headers a response of an operation can carry. */
function responseHeaders(status: number, op: Pick<Operation, "idempotent" | "limited">, extra: (keyof typeof RESPONSE_HEADERS)[] = []): Record<string, unknown> {
  const names: (keyof typeof RESPONSE_HEADERS)[] = ["X-Request-Id", ...extra];
  if (op.idempotent) names.push("Idempotent-Replayed");
  if (op.limited) names.push("RateLimit", "RateLimit-Policy");
  if (status >= 400 && RETRY_AFTER_STATUSES.has(status)) names.push("Retry-After");
  if (status === 401) names.push("WWW-Authenticate");
  return Object.fromEntries(names.map((name) => [name, headerRef(name)]));
}

/** What each error status means on this API; a route adds its own notes (e.g. `invalid_cursor` on the list). */
const ERROR_MEANINGS: Readonly<Record<number, string>> = {
  400:
    "validation_error (details.issues names each field, query parameter or header; the client's value is never repeated), " +
    "invalid_amount, amount_too_small, currency_not_supported",
  401: "unauthenticated: no usable Bearer token (also a token whose subject holds control characters or is a card number)",
  402: "a card outcome: card_declined, insufficient_funds, expired_card, incorrect_cvc, processing_error, authentication_required",
  403: "forbidden",
  404:
    "not_found: no such resource, another owner's payment, or a payment id no payment can have (a control character, a lone " +
    "surrogate, a card number, over 200 characters), which is answered without being repeated",
  409: "idempotency_key_in_use (Retry-After), invalid_state_transition, payment_not_editable, conflict",
  413: "payload_too_large",
  422: "idempotency_key_reused, refund_exceeds_captured",
  429: "rate_limited (Retry-After)",
  500: "internal: only { code, message, requestId }, no details; the cause is logged under the request id",
  502: "gateway_error",
  503: "gateway_outcome_unknown or gateway_rate_limited (Retry-After): retry with the same Idempotency-Key",
};

/**
 * The 4xx of an operation that refuses nothing itself (health, this document): what the HTTP server in front of the
 * router answers to a request it cannot parse. Documented so that generated clients have a client-error branch.
 */
const SERVER_LEVEL_CLIENT_ERROR = {
  description: "Not answered by the router: Node's HTTP server refuses a malformed request (400) or oversized headers (431), with no body",
};

function errorResponses(op: Operation): Record<string, unknown> {
  const notes = op.errorNotes ?? {};
  // Any route can fail inside: 500 is documented everywhere, with its own body.
  const statuses = [...new Set([...op.errors, 500])].sort((a, b) => a - b);
  const responses: Record<string, unknown> = Object.fromEntries(
    statuses.map((status) => [
      String(status),
      {
        description: [ERROR_MEANINGS[status] ?? "Error", notes[status]].filter(Boolean).join("; "),
        headers: responseHeaders(status, op),
        content: { "application/json": { schema: status === 500 ? internalErrorRef : errorRef } },
      },
    ]),
  );
  if (!statuses.some((status) => status >= 400 && status < 500)) responses["4XX"] = SERVER_LEVEL_CLIENT_ERROR;
  return responses;
}

interface Operation {
  /** Stable and unique: generated clients name their methods after it. */
  operationId: string;
  summary: string;
  auth?: boolean;
  /** Counted by the router's rate limiters (every authenticated route, and webhooks): RateLimit headers, 429. */
  limited?: boolean;
  /** Overrides what `auth` implies (e.g. a token that is optional). */
  security?: object[];
  idempotent?: boolean;
  body?: Schema;
  /** The request body's media types (default application/json). */
  bodyContentTypes?: string[];
  query?: z.ZodObject;
  ok: { status: number; schema?: Schema | Record<string, unknown>; ref?: string; contentTypes?: string[]; headers?: (keyof typeof RESPONSE_HEADERS)[] };
  errors: number[];
  /** Route-specific meanings added to the status's general one. */
  errorNotes?: Record<number, string>;
}

const idParam = {
  name: "id",
  in: "path",
  required: true,
  description: "A payment id; one no payment can have (control characters, a card number, over 200 characters) is 404",
  schema: { type: "string", minLength: 1, maxLength: 200 },
};

const disputeIdParam = {
  name: "id",
  in: "path",
  required: true,
  description: "A dispute id (dp_…, ours); one no dispute can have (control characters, a card number, over 200 characters) is 404",
  schema: { type: "string", minLength: 1, maxLength: 200 },
};

const customerIdParam = {
  name: "id",
  in: "path",
  required: true,
  description: "A customer id (cus_…); another owner's customer, or one no customer can have (control characters, a card number, over 200 characters), is 404",
  schema: { type: "string", minLength: 1, maxLength: 200 },
};

const methodIdParam = {
  name: "methodId",
  in: "path",
  required: true,
  description: "A saved payment method id (spm_…) of this customer; a method of another customer is 404",
  schema: { type: "string", minLength: 1, maxLength: 200 },
};

/** The lookup route's path parameters: text no payment can be named by is 404, like an impossible payment id. */
const providerIdParams = [
  { name: "provider", in: "path", required: true, description: "The provider's name (stripe, paypal, …)", schema: { type: "string", minLength: 1, maxLength: 200 } },
  {
    name: "providerPaymentId",
    in: "path",
    required: true,
    description: "The provider's id of the payment (a Stripe PaymentIntent id, a PayPal order id)",
    schema: { type: "string", minLength: 1, maxLength: 200 },
  },
];

/** The statuses every authenticated, rate-limited operation can answer, whatever it does. */
const AUTHENTICATED_ERRORS = [401, 403, 429];

function operation(input: Operation, pathParams: object[] = []): Record<string, unknown> {
  const authenticated = input.auth !== false;
  const op: Operation = {
    ...input,
    limited: input.limited ?? authenticated,
    errors: [...input.errors, ...(authenticated ? AUTHENTICATED_ERRORS : []), ...(input.body ? [413] : [])],
  };
  const parameters: object[] = [...pathParams];
  if (op.idempotent) {
    parameters.push({
      name: "Idempotency-Key",
      in: "header",
      required: true,
      description: "1–255 characters, no control characters, not a card number (400 validation_error naming the header)",
      schema: { type: "string", minLength: 1, maxLength: 255 },
    });
  }
  if (op.query) {
    const shape = json(op.query, "input") as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(shape.properties ?? {})) {
      parameters.push({ name, in: "query", required: shape.required?.includes(name) ?? false, schema });
    }
  }
  const okSchema = op.ok.ref ? schemaRef(op.ok.ref) : op.ok.schema instanceof z.ZodType ? json(op.ok.schema, "output") : op.ok.schema;
  const content = Object.fromEntries(
    (op.ok.contentTypes ?? ["application/json"]).map((type) => [type, type === "application/json" && okSchema ? { schema: okSchema } : { schema: { type: "string" } }]),
  );
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.security ? { security: op.security } : op.auth === false ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(op.body
      ? { requestBody: { required: true, content: Object.fromEntries((op.bodyContentTypes ?? ["application/json"]).map((type) => [type, { schema: json(op.body!, "input") }])) } }
      : {}),
    responses: {
      [String(op.ok.status)]: { description: "OK", headers: responseHeaders(op.ok.status, op, op.ok.headers), ...(op.ok.status === 204 ? {} : { content }) },
      ...errorResponses(op),
    },
  };
}

export interface OpenApiOptions {
  title?: string | undefined;
  version?: string | undefined;
  /**
   * Where the router is reached, e.g. "/payments-api" or "https://api.example.com/payments-api". Without it the
   * served document names the path the router is mounted at (a relative URL, resolved against the document's host).
   */
  serverUrl?: string | undefined;
  /** The host API's license, when it publishes one (the document describes the host's API, not this SDK). */
  license?: { name: string; url?: string | undefined } | undefined;
}

/** The default server of a document built outside a request: a router mounted at the root. */
const ROOT_SERVER = { url: "/", description: "the router's mount path (pass `serverUrl` when it is mounted elsewhere)" };

/**
 * The document as served by a router mounted at `mountPath` (Express's `req.baseUrl`): unless the host named a
 * server, generated clients are pointed at the mount, relative to the host that served the document.
 */
export function documentForMount(document: Record<string, unknown>, mountPath: string, options: OpenApiOptions = {}): Record<string, unknown> {
  if (options.serverUrl) return document;
  return { ...document, servers: [{ url: mountPath || "/", description: "where this router is mounted, relative to the host serving this document" }] };
}

/** OpenAPI 3.1 for the router, generated from the same zod schemas that validate requests. */
export function buildOpenApiDocument(options: OpenApiOptions = {}): Record<string, unknown> {
  const pay = (operationId: string, summary: string, body: Schema, extra: number[] = []) =>
    operation({ operationId, summary, idempotent: true, body, ok: { status: 200, ref: "Payment" }, errors: [400, 404, 409, 422, 502, 503, ...extra] }, [idParam]);
  const refundResult = {
    type: "object",
    properties: { refund: schemaRef("Refund"), payment: schemaRef("Payment") },
    required: ["refund", "payment"],
    additionalProperties: false,
  };
  const refundList = { type: "object", properties: { data: { type: "array", items: schemaRef("Refund") } }, required: ["data"], additionalProperties: false };
  const paymentDisputeList = { type: "object", properties: { data: { type: "array", items: schemaRef("Dispute") } }, required: ["data"], additionalProperties: false };
  const disputeList = {
    type: "object",
    properties: { data: { type: "array", items: schemaRef("Dispute") }, nextCursor: { type: ["string", "null"] } },
    required: ["data", "nextCursor"],
    additionalProperties: false,
  };
  const customerList = {
    type: "object",
    properties: { data: { type: "array", items: schemaRef("Customer") }, nextCursor: { type: ["string", "null"] } },
    required: ["data", "nextCursor"],
    additionalProperties: false,
  };
  const methodList = { type: "object", properties: { data: { type: "array", items: schemaRef("SavedPaymentMethod") } }, required: ["data"], additionalProperties: false };
  const customerNotes = { 404: "not_found: no such customer, or another owner's (the same answer)" };
  const methodNotes = { 404: "not_found: no such customer or method, another owner's customer, or a method of another customer (the same answers)" };
  return {
    openapi: "3.1.0",
    info: {
      title: options.title ?? "Payments API",
      version: options.version ?? "1.0.0",
      ...(options.license ? { license: { name: options.license.name, ...(options.license.url ? { url: options.license.url } : {}) } } : {}),
    },
    servers: [options.serverUrl ? { url: options.serverUrl } : ROOT_SERVER],
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: {
        Payment: json(s.paymentResponse, "output"),
        Refund: json(s.refundResponse, "output"),
        Dispute: json(s.disputeResponse, "output"),
        Customer: json(s.customerResponse, "output"),
        SavedPaymentMethod: json(s.savedPaymentMethodResponse, "output"),
        Error: json(s.errorResponse, "output"),
        InternalError: json(s.internalErrorResponse, "output"),
      },
      headers: { ...RESPONSE_HEADERS, ...RECEIPT_LINK_PAGE_HEADERS },
    },
    paths: {
      "/payments": {
        post: operation({
          operationId: "createPayment",
          summary: "Create a payment; with customerId and offSession: true (service role, admin) one that charges a saved method without the customer",
          idempotent: true,
          body: s.createPaymentBody,
          ok: { status: 201, ref: "Payment" },
          errors: [400, 404, 409, 422],
          errorNotes: {
            400: "validation_error also for owner from a customer's own token, or no owner from a service token",
            403: "forbidden: offSession from a customer's own token",
            404: "not_found: an off-session payment's customer or saved method that does not exist or is another owner's",
            409: "invalid_state_transition: a saved method that is not active, a deleted customer",
          },
        }),
        get: operation({
          operationId: "listPayments",
          summary: "List payments (owners see their own)",
          query: s.listPaymentsQuery,
          ok: { status: 200, schema: s.paymentList },
          errors: [400],
          errorNotes: {
            400:
              "invalid_cursor for a cursor this list did not issue; validation_error for a filter no payment could match, an " +
              "impossible date (2026-02-30), a window whose from is not before its to, an amount that is not a whole number " +
              "of minor units, amountMin above amountMax, or a parameter this route does not have",
          },
        }),
      },
      "/payments/by-provider/{provider}/{providerPaymentId}": {
        get: operation(
          {
            operationId: "getPaymentByProviderId",
            summary: "Look a payment up by the provider's id (a Stripe pi_…, a PayPal order id); the oldest if several attempts named it",
            ok: { status: 200, ref: "Payment" },
            errors: [404],
            errorNotes: { 404: "not_found when no payment names this provider object, or when the payment is another owner's" },
          },
          providerIdParams,
        ),
      },
      "/payments/{id}": {
        get: operation({ operationId: "getPayment", summary: "Get a payment", ok: { status: 200, ref: "Payment" }, errors: [404] }, [idParam]),
        patch: operation(
          {
            operationId: "updatePayment",
            summary:
              "Change a payment (admin): before confirmation amount, currency, lineItems (a new fare quote's), description, metadata, references, " +
              "customer; after it only description and metadata. metadata and references are JSON merge patches (RFC 7396): a key set to null " +
              "is removed, keys not named stay",
            idempotent: true,
            body: s.updatePaymentBody,
            bodyContentTypes: ["application/json", "application/merge-patch+json"],
            ok: { status: 200, ref: "Payment" },
            errors: [400, 404, 409, 422],
            errorNotes: {
              400: "validation_error also for a field that cannot be changed (status, amounts captured, ...); invalid_amount for lines that do not add up to the amount",
              409: "payment_not_editable: after confirmation only description and metadata may change; nothing was changed",
            },
          },
          [idParam],
        ),
      },
      "/payments/{id}/confirm": {
        post: operation(
          {
            operationId: "confirmPayment",
            summary:
              "Confirm (charge or authorize), or resume after requires_action; savePaymentMethod: true also saves the method for the payment's customer",
            idempotent: true,
            body: s.confirmPaymentBody,
            ok: { status: 200, ref: "Payment" },
            errors: [400, 402, 404, 409, 422, 502, 503],
            errorNotes: {
              402: "authentication_required is not an error here: an off-session charge the bank wants authenticated answers 200 requires_action with lastError.code authentication_required",
              403: "forbidden: an off-session payment still pending, from a customer's own token (the service charges it; once requires_action, the customer resumes it)",
            },
          },
          [idParam],
        ),
      },
      "/payments/{id}/capture": { post: pay("capturePayment", "Capture an authorization (admin)", s.capturePaymentBody) },
      "/payments/{id}/cancel": { post: pay("cancelPayment", "Cancel a payment before money moved", s.cancelPaymentBody) },
      "/payments/{id}/refunds": {
        post: operation(
          {
            operationId: "refundPayment",
            summary: "Refund (admin)",
            idempotent: true,
            body: s.refundPaymentBody,
            ok: { status: 201, schema: refundResult },
            errors: [400, 404, 409, 422, 502, 503],
          },
          [idParam],
        ),
        get: operation({ operationId: "listRefunds", summary: "List a payment's refunds", ok: { status: 200, schema: refundList }, errors: [404] }, [idParam]),
      },
      "/payments/{id}/disputes": {
        get: operation(
          {
            operationId: "listPaymentDisputes",
            summary: "List a payment's disputes, oldest first (owner, admin)",
            ok: { status: 200, schema: paymentDisputeList },
            errors: [404],
          },
          [idParam],
        ),
      },
      "/payments/{id}/receipt": {
        get: operation(
          {
            operationId: "getReceipt",
            summary: "The payment's receipt",
            query: s.receiptQuery,
            ok: {
              status: 200,
              schema: s.receiptResponse,
              contentTypes: ["application/json", "text/plain", "text/html"],
              headers: ["X-Content-Type-Options", "Content-Security-Policy"],
            },
            errors: [400, 404],
          },
          [idParam],
        ),
      },
      "/payments/{id}/receipt-link": {
        post: operation(
          {
            operationId: "createReceiptLink",
            summary: "Mint a signed, expiring link to the payment's HTML receipt, to e-mail to the customer (present with receipts.links)",
            ok: { status: 201, schema: receiptLinkResponse },
            errors: [400, 404, 413],
            errorNotes: { 400: "a non-empty body", 404: "also a payment without a receipt yet, or a router without receipts.links" },
          },
          [idParam],
        ),
      },
      "/receipts/{token}": { get: receiptLinkPageOperation() },
      "/customers": {
        post: operation({
          operationId: "createCustomer",
          summary: "Create a customer (an owner: their own; the service role: for the owner it names)",
          idempotent: true,
          body: s.createCustomerBody,
          ok: { status: 201, ref: "Customer" },
          errors: [400, 409, 422],
          errorNotes: { 400: "validation_error also for owner from a customer's own token, no owner from a service token, or a card number in the name" },
        }),
        get: operation({
          operationId: "listCustomers",
          summary: "List customers, newest first (owners see their own; the service role names the owner; admins any, or all)",
          query: s.listCustomersQuery,
          ok: { status: 200, schema: customerList },
          errors: [400],
          errorNotes: {
            400: "invalid_cursor for a cursor this list did not issue; validation_error for a service token without owner, or a parameter this route does not have",
            403: "forbidden: a customer's own token naming another owner",
          },
        }),
      },
      "/customers/{id}": {
        get: operation({ operationId: "getCustomer", summary: "Get a customer", ok: { status: 200, ref: "Customer" }, errors: [404], errorNotes: customerNotes }, [customerIdParam]),
        patch: operation(
          {
            operationId: "updateCustomer",
            summary: "Change a customer's email, name, metadata (a JSON merge patch) or default saved method (one of its own active methods)",
            idempotent: true,
            body: s.updateCustomerBody,
            bodyContentTypes: ["application/json", "application/merge-patch+json"],
            ok: { status: 200, ref: "Customer" },
            errors: [400, 404, 409, 422],
            errorNotes: { ...customerNotes, 409: "invalid_state_transition: a deleted customer, or a default that is not an active method" },
          },
          [customerIdParam],
        ),
        delete: operation(
          {
            operationId: "deleteCustomer",
            summary: "Delete a customer: every saved method is detached at its provider, then the customer is marked deleted (the record stays)",
            idempotent: true,
            ok: { status: 200, ref: "Customer" },
            errors: [400, 404, 409, 422, 502, 503],
            errorNotes: customerNotes,
          },
          [customerIdParam],
        ),
      },
      "/customers/{id}/payment-methods": {
        post: operation(
          {
            operationId: "savePaymentMethod",
            summary: "Save a payment method without charging it: active, or requires_action when the bank wants the customer to authenticate (then confirm it)",
            idempotent: true,
            body: s.savePaymentMethodBody,
            ok: { status: 201, ref: "SavedPaymentMethod" },
            errors: [400, 402, 404, 409, 422, 502, 503],
            errorNotes: { ...customerNotes, 402: "the bank refused to save the card (the method stays, failed)", 409: "invalid_state_transition: a deleted customer" },
          },
          [customerIdParam],
        ),
        get: operation(
          {
            operationId: "listSavedPaymentMethods",
            summary: "A customer's saved payment methods, oldest first (detached and failed ones too, for the record)",
            ok: { status: 200, schema: methodList },
            errors: [404],
            errorNotes: customerNotes,
          },
          [customerIdParam],
        ),
      },
      "/customers/{id}/payment-methods/{methodId}": {
        delete: operation(
          {
            operationId: "detachPaymentMethod",
            summary: "Detach a saved payment method (here first, then at the provider); it stops being the default",
            idempotent: true,
            ok: { status: 200, ref: "SavedPaymentMethod" },
            errors: [400, 404, 409, 422, 502, 503],
            errorNotes: methodNotes,
          },
          [customerIdParam, methodIdParam],
        ),
      },
      "/customers/{id}/payment-methods/{methodId}/confirm": {
        post: operation(
          {
            operationId: "confirmSavedPaymentMethod",
            summary: "Continue saving a method after the customer authenticated at their bank (the method was requires_action); body {}",
            idempotent: true,
            body: s.confirmSavedPaymentMethodBody,
            ok: { status: 200, ref: "SavedPaymentMethod" },
            errors: [400, 402, 404, 409, 422, 502, 503],
            errorNotes: { ...methodNotes, 409: "invalid_state_transition: the method is not waiting for the customer" },
          },
          [customerIdParam, methodIdParam],
        ),
      },
      "/fares/quote": {
        post: operation({ operationId: "quoteFare", summary: "Quote a fare with a named tariff", body: s.fareQuoteBody, ok: { status: 200, schema: s.fareQuoteResponse }, errors: [400, 404] }),
      },
      "/fares/cancellation-quote": {
        post: operation({
          operationId: "quoteCancellation",
          summary: "Quote the cancellation fee of a named tariff, with tax, itemized as a fare",
          body: s.cancellationQuoteBody,
          ok: { status: 200, schema: s.fareQuoteResponse },
          errors: [400, 404],
        }),
      },
      "/payment-methods": {
        get: operation({ operationId: "listPaymentMethods", summary: "Providers and the payment methods they accept", ok: { status: 200, schema: s.paymentMethodsResponse }, errors: [] }),
      },
      "/disputes": {
        get: operation({
          operationId: "listDisputes",
          summary: "List disputes across payments, newest first (admin): the queue to answer",
          query: s.listDisputesQuery,
          ok: { status: 200, schema: disputeList },
          errors: [400],
          errorNotes: {
            400:
              "invalid_cursor for a cursor this list did not issue; validation_error for a status no dispute has, an impossible " +
              "date (2026-02-30), an openedFrom not before its openedTo, or a parameter this route does not have",
            403: "forbidden: the list spans every owner's payments (admin only), refused whatever the query",
          },
        }),
      },
      "/disputes/{id}": {
        get: operation(
          {
            operationId: "getDispute",
            summary: "Get a dispute (admin)",
            ok: { status: 200, ref: "Dispute" },
            errors: [404],
            errorNotes: { 403: "forbidden: admin only, answered before the dispute is looked up", 404: "not_found: no dispute has this id" },
          },
          [disputeIdParam],
        ),
      },
      "/stats": { get: operation({ operationId: "getStats", summary: "Counts, revenue and disputed sums (admin)", query: s.statsQuery, ok: { status: 200, schema: s.statsResponse }, errors: [400] }) },
      "/webhooks/{provider}": {
        post: operation(
          {
            operationId: "receiveProviderWebhook",
            summary: "Provider webhooks (raw body, signature checked)",
            auth: false,
            limited: true,
            ok: { status: 200, schema: s.webhookResponse },
            errors: [400, 404, 413, 429],
          },
          [{ name: "provider", in: "path", required: true, description: "A configured provider's name (e.g. stripe, paypal)", schema: { type: "string" } }],
        ),
      },
      "/health": { get: operation({ operationId: "getHealth", summary: "Health", auth: false, ok: { status: 200, schema: s.healthResponse }, errors: [503] }) },
      "/health/live": { get: operation({ operationId: "getLiveness", summary: "Liveness", auth: false, ok: { status: 200, schema: s.healthResponse }, errors: [] }) },
      "/health/ready": { get: operation({ operationId: "getReadiness", summary: "Readiness", auth: false, ok: { status: 200, schema: s.healthResponse }, errors: [503] }) },
      "/metrics": {
        get: operation({
          operationId: "getMetrics",
          summary: "Prometheus metrics",
          // Open by default (scrapers sit on a private network); `protectMetrics` asks for an admin token.
          auth: false,
          limited: true,
          security: [{}, { bearerAuth: [] }],
          ok: { status: 200, contentTypes: ["text/plain"] },
          errors: [401, 403, 429],
          errorNotes: {
            401: "only with the router's protectMetrics option",
            403: "only with the router's protectMetrics option",
            429: "only with protectMetrics: failed authentications are throttled",
          },
        }),
      },
      "/openapi.json": {
        get: operation({ operationId: "getOpenApiDocument", summary: "This document", auth: false, ok: { status: 200, contentTypes: ["application/json"] }, errors: [] }),
      },
    },
  };
}
