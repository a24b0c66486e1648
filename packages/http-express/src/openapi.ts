import { z } from "zod";
import * as s from "./schemas.js";

type Schema = z.ZodType;

function json(schema: Schema, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

const errorRef = { $ref: "#/components/schemas/Error" };
const internalErrorRef = { $ref: "#/components/schemas/InternalError" };

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
  409: "idempotency_key_in_use (Retry-After), invalid_state_transition, conflict",
  413: "payload_too_large",
  422: "idempotency_key_reused, refund_exceeds_captured",
  429: "rate_limited (Retry-After)",
  500: "internal: only { code, message, requestId }, no details; the cause is logged under the request id",
  502: "gateway_error",
  503: "gateway_outcome_unknown or gateway_rate_limited (Retry-After): retry with the same Idempotency-Key",
};

const errorResponses = (statuses: number[], notes: Readonly<Record<number, string>> = {}) =>
  Object.fromEntries(
    // Any route can fail inside: 500 is documented everywhere, with its own body.
    [...new Set([...statuses, 500])].map((status) => [
      String(status),
      {
        description: [ERROR_MEANINGS[status] ?? "Error", notes[status]].filter(Boolean).join("; "),
        content: { "application/json": { schema: status === 500 ? internalErrorRef : errorRef } },
      },
    ]),
  );

interface Operation {
  summary: string;
  auth?: boolean;
  idempotent?: boolean;
  body?: Schema;
  query?: z.ZodObject;
  ok: { status: number; schema?: Schema; ref?: string; contentTypes?: string[] };
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

function operation(op: Operation, pathParams: object[] = []): Record<string, unknown> {
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
  const okSchema = op.ok.ref ? { $ref: `#/components/schemas/${op.ok.ref}` } : op.ok.schema ? json(op.ok.schema, "output") : undefined;
  const content = Object.fromEntries(
    (op.ok.contentTypes ?? ["application/json"]).map((type) => [type, type === "application/json" && okSchema ? { schema: okSchema } : { schema: { type: "string" } }]),
  );
  return {
    summary: op.summary,
    ...(op.auth === false ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: json(op.body, "input") } } } } : {}),
    responses: { [String(op.ok.status)]: { description: "OK", ...(op.ok.status === 204 ? {} : { content }) }, ...errorResponses(op.errors, op.errorNotes) },
  };
}

/** OpenAPI 3.1 for the router, generated from the same zod schemas that validate requests. */
export function buildOpenApiDocument(options: { title?: string; version?: string; serverUrl?: string } = {}): Record<string, unknown> {
  const pay = (summary: string, body: Schema, status = 200, extra: number[] = []) =>
    operation({ summary, idempotent: true, body, ok: { status, ref: "Payment" }, errors: [400, 401, 403, 404, 409, 422, 429, 502, 503, ...extra] }, [idParam]);
  return {
    openapi: "3.1.0",
    info: { title: options.title ?? "Payments API", version: options.version ?? "1.0.0" },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: {
        Payment: json(s.paymentResponse, "output"),
        Refund: json(s.refundResponse, "output"),
        Error: json(s.errorResponse, "output"),
        InternalError: json(s.internalErrorResponse, "output"),
      },
    },
    paths: {
      "/payments": {
        post: operation({ summary: "Create a payment", idempotent: true, body: s.createPaymentBody, ok: { status: 201, ref: "Payment" }, errors: [400, 401, 403, 409, 413, 422, 429] }),
        get: operation({
          summary: "List payments (owners see their own)",
          query: s.listPaymentsQuery,
          ok: { status: 200, schema: s.paymentList },
          errors: [400, 401, 403, 429],
          errorNotes: {
            400:
              "invalid_cursor for a cursor this list did not issue; validation_error for a filter no payment could match, an " +
              "impossible date (2026-02-30) or a window whose from is not before its to",
          },
        }),
      },
      "/payments/{id}": {
        get: operation({ summary: "Get a payment", ok: { status: 200, ref: "Payment" }, errors: [401, 404, 429] }, [idParam]),
      },
      "/payments/{id}/confirm": { post: pay("Confirm (charge or authorize), or resume after requires_action", s.confirmPaymentBody, 200, [402]) },
      "/payments/{id}/capture": { post: pay("Capture an authorization (admin)", s.capturePaymentBody) },
      "/payments/{id}/cancel": { post: pay("Cancel a payment before money moved", s.cancelPaymentBody) },
      "/payments/{id}/refunds": {
        post: operation(
          { summary: "Refund (admin)", idempotent: true, body: s.refundPaymentBody, ok: { status: 201, schema: s.refundResult }, errors: [400, 401, 403, 404, 409, 422, 429, 502, 503] },
          [idParam],
        ),
        get: operation({ summary: "List a payment's refunds", ok: { status: 200, schema: s.refundList }, errors: [401, 404, 429] }, [idParam]),
      },
      "/payments/{id}/receipt": {
        get: operation(
          { summary: "The payment's receipt", query: s.receiptQuery, ok: { status: 200, schema: s.receiptResponse, contentTypes: ["application/json", "text/plain", "text/html"] }, errors: [400, 401, 404] },
          [idParam],
        ),
      },
      "/fares/quote": { post: operation({ summary: "Quote a fare with a named tariff", body: s.fareQuoteBody, ok: { status: 200, schema: s.fareQuoteResponse }, errors: [400, 401, 404, 429] }) },
      "/payment-methods": { get: operation({ summary: "Providers and the payment methods they accept", ok: { status: 200, schema: s.paymentMethodsResponse }, errors: [401] }) },
      "/stats": { get: operation({ summary: "Counts and revenue (admin)", query: s.statsQuery, ok: { status: 200, schema: s.statsResponse }, errors: [400, 401, 403] }) },
      "/webhooks/{provider}": {
        post: operation(
          { summary: "Provider webhooks (raw body, signature checked)", auth: false, ok: { status: 200, schema: s.webhookResponse }, errors: [400, 404, 500] },
          [{ name: "provider", in: "path", required: true, schema: { type: "string" } }],
        ),
      },
      "/health": { get: operation({ summary: "Health", auth: false, ok: { status: 200, schema: s.healthResponse }, errors: [503] }) },
      "/health/live": { get: operation({ summary: "Liveness", auth: false, ok: { status: 200, schema: s.healthResponse }, errors: [] }) },
      "/health/ready": { get: operation({ summary: "Readiness", auth: false, ok: { status: 200, schema: s.healthResponse }, errors: [503] }) },
      "/metrics": { get: operation({ summary: "Prometheus metrics", ok: { status: 200, contentTypes: ["text/plain"] }, errors: [401, 403] }) },
      "/openapi.json": { get: operation({ summary: "This document", auth: false, ok: { status: 200, contentTypes: ["application/json"] }, errors: [] }) },
    },
  };
}
