import { stripeOpenApiSubset, type SentResponse } from "@org/payments-test-support/stripe-fake";
import { Ajv, type ValidateFunction } from "ajv";

/**
 * Checks what the Stripe fake sends against Stripe's published OpenAPI definition (the trimmed copy kept beside the
 * fake, API 2023-08-16), so the fake cannot drift into a shape of our own. The definition is OpenAPI 3.0, so it is
 * converted to JSON Schema first: `nullable` becomes a null alternative and component references point into one
 * document, compiled once per test file (every endpoint's schema refers into it, so shared parts compile once). Fields Stripe added after 2023-08-16 (stripe-node 23 reads them) pass because Stripe's schemas never
 * forbid additional properties; required fields are kept as published.
 */
type Schema = Record<string, unknown>;

function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== "object") return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node as Schema)) {
    if (key === "nullable") continue;
    if (key === "$ref" && typeof value === "string") {
      out.$ref = value.replace("#/components/schemas/", "stripe#/definitions/");
      continue;
    }
    out[key] = toJsonSchema(value);
  }
  if ((node as Schema).nullable !== true) return out;
  if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  if (typeof out.type === "string") return { ...out, type: [out.type, "null"] };
  if (Array.isArray(out.anyOf)) return { ...out, anyOf: [...out.anyOf, { type: "null" }] };
  return { anyOf: [out, { type: "null" }] };
}

const definitions = toJsonSchema(stripeOpenApiSubset.schemas) as Schema;
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
ajv.addSchema({ $id: "stripe", definitions }, "stripe");

const compiled = new Map<string, ValidateFunction>();
function validatorFor(key: string, schema: () => unknown): ValidateFunction {
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema() as Schema);
    compiled.set(key, validate);
  }
  return validate;
}

function problemsOf(validate: ValidateFunction, value: unknown, where: string): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${where}${e.instancePath || "/"} ${e.message ?? "is invalid"}${e.params && "missingProperty" in e.params ? ` (${String(e.params.missingProperty)})` : ""}`);
}

function definitionValidator(name: string): ValidateFunction {
  if (!(name in definitions)) throw new Error(`the trimmed Stripe definition has no schema ${name}`);
  return validatorFor(`def-${name}`, () => ({ $ref: `stripe#/definitions/${name}` }));
}

/** The endpoints Stripe's definition gives for what the fake serves (disputes included), from the fake's subset. */
const PATHS: Record<string, Record<string, unknown>> = stripeOpenApiSubset.paths;

const ROUTES = Object.entries(PATHS).flatMap(([template, methods]) =>
  Object.keys(methods).map((method) => ({
    template,
    method: method.toUpperCase(),
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
  })),
);

/** Violations of Stripe's definition in one HTTP answer of the fake (a 200 by its endpoint, anything else as an error). */
export function responseViolations(response: SentResponse): string[] {
  if (response.path.startsWith("/_fake/")) return [];
  const where = `${response.method} ${response.path} ${response.status}`;
  if (response.status !== 200) return problemsOf(definitionValidator("error"), response.body, `${where} body`);
  // The most specific template first: /v1/payment_intents/search before /v1/payment_intents/{intent}.
  const route = ROUTES.filter((r) => r.method === response.method && r.pattern.test(response.path)).sort(
    (a, b) => (a.template.includes("{") ? 1 : 0) - (b.template.includes("{") ? 1 : 0),
  )[0];
  if (!route) return [`${where}: Stripe's definition has no such endpoint`];
  const methods = PATHS[route.template] as Record<string, unknown>;
  const validate = validatorFor(`path-${route.method}-${route.template}`, () => toJsonSchema(methods[route.method.toLowerCase()]));
  return problemsOf(validate, response.body, `${where} body`);
}

const EVENT_OBJECTS = new Set(["payment_intent", "charge", "refund", "dispute", "setup_intent", "customer", "payment_method"]);

/** Violations in one event: the envelope, and the object it carries by that object's own schema. */
export function eventViolations(event: { type?: unknown; data?: { object?: { object?: unknown } } }): string[] {
  const where = `event ${String(event.type)}`;
  const problems = problemsOf(definitionValidator("event"), event, where);
  const kind = event.data?.object?.object;
  if (typeof kind !== "string" || !EVENT_OBJECTS.has(kind)) return [...problems, `${where}: carries no known object`];
  return [...problems, ...problemsOf(definitionValidator(kind), event.data?.object, `${where} data.object`)];
}

/** Violations of one named object (payment_intent, refund, dispute, api_errors, ...). */
export function objectViolations(schema: string, value: unknown): string[] {
  return problemsOf(definitionValidator(schema), value, schema);
}

/**
 * What the fakes of this test file sent, checked after the file ran (assert-wire-schema.ts): compiling Stripe's
 * schemas takes a second or more, which inside the fake's request handler would turn into client timeouts.
 */
const sent: Array<() => string[]> = [];

export function recordResponse(response: SentResponse): void {
  const copy = structuredClone(response);
  sent.push(() => responseViolations(copy));
}

export function recordEvent(event: { type?: unknown; data?: { object?: { object?: unknown } } }): void {
  const copy = structuredClone(event);
  sent.push(() => eventViolations(copy));
}

/** Every violation of Stripe's definition in what was recorded so far, once each, and how many answers were checked. */
export function wireViolations(): { checked: number; violations: string[] } {
  const violations = new Set<string>();
  for (const check of sent) {
    try {
      for (const problem of check()) violations.add(problem);
    } catch (error) {
      violations.add(`the schema check itself failed: ${(error as Error).message}`);
    }
  }
  return { checked: sent.length, violations: [...violations] };
}
