// Regenerates stripe-openapi-subset.json from a Stripe OpenAPI definition (JSON form of stripe/openapi's
// spec3.yaml, or the trimmed copy in the team's shared specs):
//   node trim-stripe-openapi.mjs <spec3.json> > stripe-openapi-subset.json
// Kept beside its output so the subset can be audited against its source. What it keeps: the response schemas of the
// endpoints the Stripe fake serves, and the schemas of every object the fake sends (event, dispute, error), with
// everything they reference. References to objects the fake never expands (customers, balance transactions, ...)
// become `{ type: object, x-pruned }`, as Stripe's own trimmed copies do; required fields are never removed.
import { readFileSync } from "node:fs";

const SERVED = {
  "/v1/payment_intents": ["get", "post"],
  "/v1/payment_intents/search": ["get"],
  "/v1/payment_intents/{intent}": ["get"],
  "/v1/payment_intents/{intent}/confirm": ["post"],
  "/v1/payment_intents/{intent}/capture": ["post"],
  "/v1/payment_intents/{intent}/cancel": ["post"],
  "/v1/refunds": ["get", "post"],
  "/v1/refunds/{refund}": ["get"],
  "/v1/charges/{charge}": ["get"],
};
const ROOTS = ["event", "dispute", "error", "payment_intent", "refund", "charge", "payment_method"];
const NEVER_EXPANDED = new Set([
  "customer",
  "deleted_customer",
  "setup_intent",
  "source",
  "bank_account",
  "card",
  "mandate",
  "balance_transaction",
  "subscription",
  "invoice",
  "review",
  "application",
  "transfer",
  "application_fee",
  "account",
]);

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const all = spec.components.schemas;
const kept = {};

function visit(node) {
  if (Array.isArray(node)) return node.map(visit);
  if (node === null || typeof node !== "object") return node;
  const ref = node.$ref;
  if (typeof ref === "string") {
    const name = ref.split("/").at(-1);
    if (NEVER_EXPANDED.has(name) && !ROOTS.includes(name)) return { type: "object", "x-pruned": name };
    keep(name);
    return { $ref: ref };
  }
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, visit(value)]));
}

function keep(name) {
  if (name in kept) return;
  if (!(name in all)) throw new Error(`schema ${name} is not in the source`);
  kept[name] = null;
  kept[name] = visit(all[name]);
}

const paths = {};
for (const [path, methods] of Object.entries(SERVED)) {
  for (const method of methods) {
    const schema = spec.paths[path]?.[method]?.responses?.["200"]?.content?.["application/json"]?.schema;
    if (!schema) throw new Error(`no 200 response for ${method} ${path}`);
    (paths[path] ??= {})[method] = visit(schema);
  }
}
for (const root of ROOTS) keep(root);

const sorted = Object.fromEntries(Object.keys(kept).sort().map((name) => [name, kept[name]]));
process.stdout.write(
  `${JSON.stringify(
    {
      source: `${spec["x-source"] ?? "stripe/openapi openapi/spec3"}; re-trimmed by trim-stripe-openapi.mjs to the endpoints the Stripe fake serves and the objects it sends (${Object.keys(sorted).length} schemas)`,
      licence: "MIT, Copyright (c) Stripe, Inc.; full text in LICENSE.stripe-openapi beside this file",
      apiVersion: spec.info?.version ?? null,
      paths,
      schemas: sorted,
    },
    null,
    1,
  )}\n`,
);
