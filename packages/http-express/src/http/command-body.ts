import {
  type CreatePaymentInput,
  PaymentError,
  type RefundPaymentInput,
  createPaymentSchema,
  parseInput,
  refundPaymentSchema,
  type UpdatePaymentInput,
  updatePaymentSchema,
} from "@org/payments-core";
import type { Request } from "express";

/** The JSON body of a command route, or a 400 saying what a command body must be. */
export function bodyObject(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  if (body === undefined || body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new PaymentError("validation_error", "the request body must be a JSON object (Content-Type: application/json)");
  }
  return body as Record<string, unknown>;
}

/*
 * A command's input read exactly as the service reads it: core's `parseInput` with the service's own schema and
 * amount rule (a non-integer amount is `invalid_amount` before anything else), so the route hands the service a
 * typed value and every refusal is word for word the service's. The router's schemas in schemas.ts describe the
 * API for OpenAPI and are stricter in places (amount ≥ 1), so they must not decide here. The service parses the
 * value again; parsing a parsed input gives it back unchanged.
 */

export function createPaymentInput(input: Record<string, unknown>): CreatePaymentInput {
  return parseInput(createPaymentSchema, input, [{ field: "amount", optional: false }]);
}

export function refundPaymentInput(body: Record<string, unknown>): RefundPaymentInput {
  return parseInput(refundPaymentSchema, body, [{ field: "amount", optional: true }]);
}

export function updatePaymentInput(body: Record<string, unknown>): UpdatePaymentInput {
  return parseInput(updatePaymentSchema, body, [{ field: "amount", optional: true }]);
}
