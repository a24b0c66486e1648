import { Ajv, type ValidateFunction } from "ajv";
import type { SentResponse } from "@org/payments-test-support/paypal-fake";
import schema from "./paypal-dispute.schema.json" with { type: "json" };
import { checkSchema, type SchemaViolation } from "./paypal-schema.js";

/**
 * Holds the fake's disputes to PayPal's Disputes API v1 as documented. PayPal publishes no schema of it among the
 * shared specs, so `paypal-dispute.schema.json` is our own transcription of the reference pages (see its $comment):
 * a dispute passing here matches our reading of the docs, not a document PayPal ships. The webhook envelope around a
 * dispute is still checked against PayPal's published notifications document (paypal-schema.ts).
 */
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema(schema, schema.$id);
const validators = new Map<string, ValidateFunction>();

export type DisputeSchemaName = "dispute" | "dispute_info" | "dispute_search";

export function checkDispute(name: DisputeSchemaName, value: unknown, where: string = name): SchemaViolation | null {
  let validate = validators.get(name);
  if (!validate) {
    validate = ajv.compile({ $ref: `${schema.$id}#/$defs/${name}` });
    validators.set(name, validate);
  }
  if (validate(value)) return null;
  return { where, errors: (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? e.keyword}`) };
}

/** A CUSTOMER.DISPUTE.* event: PayPal's published envelope, and its resource by our transcription. */
export function checkDisputeEvent(event: Record<string, unknown>): SchemaViolation | null {
  return checkSchema("webhooks", "event", event) ?? checkDispute("dispute", event["resource"], `${String(event["event_type"])} resource`);
}

/** Every 200 answer of the disputes endpoints, each against its schema (list → dispute_search, show → dispute). */
export function disputeViolations(responses: readonly SentResponse[]): SchemaViolation[] {
  return responses.flatMap((r) => {
    if (r.status !== 200) return [];
    const name: DisputeSchemaName = r.path === "/v1/customer/disputes" ? "dispute_search" : "dispute";
    const found = checkDispute(name, r.body, `${r.method} ${r.path} ${r.status}`);
    return found ? [found] : [];
  });
}
