import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
// PayPal's OpenAPI documents (Apache-2.0), trimmed to response schemas and kept inside the project: see `_source`.
import trimmed from "../../../../test-support/src/paypal-fake/openapi/paypal-openapi.trimmed.json" with { type: "json" };

/**
 * Validates what the fake PayPal sends against PayPal's own published OpenAPI documents, so the fake cannot drift
 * into our guess of the wire format (and the adapter cannot pass only against that guess).
 */
type ApiName = "orders" | "payments" | "reporting" | "webhooks" | "vault";
interface TrimmedApi {
  $id: string;
  operations: Record<string, { method: string; path: string }>;
  responses: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown> };
}
const APIS: Record<ApiName, TrimmedApi> = {
  orders: trimmed.orders as unknown as TrimmedApi,
  payments: trimmed.payments as unknown as TrimmedApi,
  reporting: trimmed.reporting as unknown as TrimmedApi,
  webhooks: trimmed.webhooks as unknown as TrimmedApi,
  vault: trimmed.vault as unknown as TrimmedApi,
};

/** RFC 3339 date-time, as JSON Schema's `date-time` format means. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function createValidator(): Ajv {
  // OpenAPI 3.0 schemas are not strict JSON Schema (nullable, readOnly, custom formats): keep ajv from refusing them.
  // PayPal's e-mail patterns are not valid Unicode-mode regular expressions (a lone `]`): compile them as ECMAScript
  // patterns without the `u` flag, as the documents' own (Java-derived) tooling reads them.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  ajv.addFormat("uri", (value: string) => URL.canParse(value));
  ajv.addFormat("date-time", (value: string) => RFC3339.test(value) && !Number.isNaN(Date.parse(value)));
  // PayPal's own formats (ppaas_date_time_v3, ppaas_payer_id_v3, ...) come with a `pattern` beside them, which is
  // what actually constrains the value; the format names themselves are not defined anywhere public.
  for (const api of Object.values(APIS)) {
    for (const name of formatNames(api)) if (!ajv.formats[name]) ajv.addFormat(name, true);
    ajv.addSchema(api, api.$id);
  }
  return ajv;
}

function formatNames(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => formatNames(v, out));
  else if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (key === "format" && typeof inner === "string") out.add(inner);
      else formatNames(inner, out);
    }
  }
  return out;
}

const ajv = createValidator();
const compiled = new Map<string, ValidateFunction>();

function validatorAt(api: ApiName, pointer: string): ValidateFunction {
  const ref = `${APIS[api].$id}#${pointer}`;
  let validate = compiled.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: ref });
    compiled.set(ref, validate);
  }
  return validate;
}

const escape = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");

/** The operation a request path belongs to, by the documents' path templates. */
export function operationFor(method: string, path: string): { api: ApiName; operationId: string } | undefined {
  for (const [api, doc] of Object.entries(APIS) as Array<[ApiName, TrimmedApi]>) {
    for (const [operationId, op] of Object.entries(doc.operations)) {
      if (op.method !== method) continue;
      const pattern = new RegExp(`^${op.path.replace(/\{[^}]+\}/g, "[^/]+")}$`);
      if (pattern.test(path)) return { api, operationId };
    }
  }
  return undefined;
}

export interface SchemaViolation {
  where: string;
  errors: string[];
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? e.keyword}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`);
}

/**
 * Checks one response the fake sent against the operation's schema for that status (or the document's default
 * response when the status is not listed). Returns null when it conforms; responses outside the documents (the
 * OAuth token endpoint, which no shared document describes) are not checked and say so.
 */
export function checkResponse(method: string, path: string, status: number, body: unknown): SchemaViolation | null | "unchecked" {
  const op = operationFor(method, path);
  // 429 RATE_LIMIT_REACHED is PayPal's (its rate-limiting guidelines) but in none of the OpenAPI documents.
  if (!op || status === 429) return "unchecked";
  const byStatus = APIS[op.api].responses[op.operationId]!;
  const key = String(status) in byStatus ? String(status) : "default" in byStatus ? "default" : undefined;
  const where = `${method} ${path} ${status} (${op.operationId})`;
  // Deleting a payment token that is already gone: Vault v3 lists only 204 (and 400/403/500) for the delete, yet
  // an unknown token has to be answered somehow; the fake answers 404 as the Vault's reads do, and the body is held
  // to the Vault's one error schema. (What PayPal sends there is not in its documents: see the README.)
  if (key === undefined && op.operationId === "payment-tokens.delete" && status === 404) {
    const validate = validatorAt("vault", "/components/schemas/error");
    return validate(body) ? null : { where, errors: describe(validate.errors) };
  }
  if (key === undefined) return { where, errors: [`status ${status} is not a documented answer of ${op.operationId}`] };
  // A status listed without content (Payments v2's 500s) still carries PayPal's error body: the default applies.
  const withBody = byStatus[key] === null && body !== undefined && "default" in byStatus ? "default" : key;
  if (byStatus[withBody] === null) {
    return body === undefined ? null : { where, errors: [`status ${status} has no body in the specification`] };
  }
  const validate = validatorAt(op.api, `/responses/${escape(op.operationId)}/${withBody}`);
  return validate(body) ? null : { where, errors: describe(validate.errors) };
}

/** Checks an object against a named component schema (webhook envelopes and the resources they carry). */
export function checkSchema(api: ApiName, schema: string, value: unknown, where = `${api}:${schema}`): SchemaViolation | null {
  const validate = validatorAt(api, `/components/schemas/${escape(schema)}`);
  return validate(value) ? null : { where, errors: describe(validate.errors) };
}

/** Every `issue` code the documents list for error answers, by API and operation (PayPal's issue catalogue). */
export function issueCatalogue(): Array<{ api: ApiName; operationId: string; status: string; issue: string; descriptions: string[] }> {
  const out: Array<{ api: ApiName; operationId: string; status: string; issue: string; descriptions: string[] }> = [];
  for (const api of ["orders", "payments"] as const) {
    const doc = APIS[api];
    for (const [operationId, byStatus] of Object.entries(doc.responses)) {
      for (const [status, schema] of Object.entries(byStatus)) {
        for (const detailsSchema of errorDetailSchemas(doc, schema)) {
          const issue = detailsSchema.properties?.issue?.enum?.[0];
          if (typeof issue === "string") {
            out.push({ api, operationId, status, issue, descriptions: detailsSchema.properties?.description?.enum ?? [] });
          }
        }
      }
    }
  }
  return out;
}

interface DetailSchema {
  properties?: { issue?: { enum?: unknown[] }; description?: { enum?: string[] } };
}

/** The `details[]` branches (one per issue) of an error response: `allOf: [error_4xx, <operation>-4xx]`. */
function errorDetailSchemas(doc: TrimmedApi, schema: unknown): DetailSchema[] {
  const parts = (schema as { allOf?: Array<{ $ref?: string }> } | null)?.allOf ?? [];
  return parts.flatMap((part) => {
    const name = part.$ref?.replace("#/components/schemas/", "");
    const target = name ? (doc.components.schemas[name] as { properties?: { details?: { items?: { anyOf?: DetailSchema[] } } } }) : undefined;
    return target?.properties?.details?.items?.anyOf ?? [];
  });
}
