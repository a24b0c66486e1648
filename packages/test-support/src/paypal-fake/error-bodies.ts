import { debugId } from "./ids.js";
// PayPal's OpenAPI documents (Apache-2.0), trimmed to response schemas: the error envelopes and issue catalogue.
import trimmed from "./openapi/paypal-openapi.trimmed.json" with { type: "json" };

/**
 * PayPal's error bodies as its documents define them: per status a fixed `name` and `message` (error_400 …
 * error_503), and per operation and status the issues it can name, each with its fixed `description`. The fake
 * builds every error from these, so an issue PayPal does not list for an operation is caught by the schema check
 * in the adapter tests instead of looking plausible.
 */
interface Api {
  responses: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, SchemaLike> };
}
interface SchemaLike {
  allOf?: Array<{ $ref?: string }>;
  $ref?: string;
  properties?: {
    name?: { enum?: string[] };
    message?: { enum?: string[] };
    details?: { items?: { anyOf?: Array<{ properties?: { issue?: { enum?: string[] }; description?: { enum?: string[] } } }> } };
  };
}

const APIS = { orders: trimmed.orders as unknown as Api, payments: trimmed.payments as unknown as Api };

/** The operations the fake serves, by PayPal's operationId. */
export type OperationId =
  | "orders.create"
  | "orders.get"
  | "orders.capture"
  | "orders.authorize"
  | "authorizations.get"
  | "authorizations.capture"
  | "authorizations.void"
  | "captures.get"
  | "captures.refund"
  | "refunds.get";

function apiOf(operation: OperationId): Api {
  return operation.startsWith("orders.") ? APIS.orders : APIS.payments;
}

const schemaName = (ref: string | undefined) => ref?.replace("#/components/schemas/", "");

/**
 * PayPal's 429, which no Orders or Payments document lists (its rate-limiting guidelines describe it): the name and
 * message PayPal sends with it.
 */
const UNDOCUMENTED: Readonly<Record<number, { name: string; message: string }>> = {
  429: { name: "RATE_LIMIT_REACHED", message: "Too many requests. Blocked due to rate limiting." },
};

/** `name` and `message` of PayPal's error envelope for a status (error_4xx / error_5xx). */
export function envelopeFor(status: number): { name: string; message: string } {
  const known = UNDOCUMENTED[status];
  if (known) return known;
  const schema = APIS.orders.components.schemas[`error_${status}`];
  const name = schema?.properties?.name?.enum?.[0];
  const message = schema?.properties?.message?.enum?.[0];
  if (!name || !message) throw new Error(`paypal-fake: PayPal documents no error envelope for HTTP ${status}`);
  return { name, message };
}

/** The description PayPal gives `issue` in this operation's answer of this status, if it lists the issue there. */
export function issueDescription(operation: OperationId, status: number, issue: string): string | undefined {
  const api = apiOf(operation);
  const schema = api.responses[operation]?.[String(status)] as SchemaLike | null | undefined;
  for (const part of schema?.allOf ?? []) {
    const details = api.components.schemas[schemaName(part.$ref) ?? ""]?.properties?.details?.items?.anyOf ?? [];
    const branch = details.find((d) => d.properties?.issue?.enum?.[0] === issue);
    if (branch) return branch.properties?.description?.enum?.find((d) => d.length > 0) ?? issue;
  }
  return undefined;
}

export interface ErrorBodyOptions {
  /** The JSON pointer of the field at fault (400s). */
  field?: string;
  /** Extra HATEOAS links (PayPal adds an information_link per issue). */
  links?: Array<{ href: string; rel: string; method?: string }>;
}

/**
 * A PayPal error body for `status`, naming `issue` with the description PayPal documents for it in `operation`.
 * An issue the operation does not list keeps PayPal's envelope but gets the issue code as description, which the
 * schema check then reports: the fake never invents a plausible-looking catalogue entry.
 */
export function errorBody(operation: OperationId | undefined, status: number, issue?: string, options: ErrorBodyOptions = {}): Record<string, unknown> {
  const body: Record<string, unknown> = { ...envelopeFor(status), debug_id: debugId() };
  if (issue) {
    const description = (operation && issueDescription(operation, status, issue)) ?? issue;
    const detail: Record<string, string> = { issue, description };
    if (options.field) detail["field"] = options.field;
    if (options.field) detail["location"] = "body";
    body["details"] = [detail];
  }
  const links = [
    ...(issue ? [{ href: `https://developer.paypal.com/docs/api/orders/v2/#error-${issue}`, rel: "information_link", method: "GET" }] : []),
    ...(options.links ?? []),
  ];
  if (links.length) body["links"] = links;
  return body;
}
