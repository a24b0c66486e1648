// Regenerates stripe-openapi-subset.json from a Stripe OpenAPI definition (JSON form of stripe/openapi's
// spec3.yaml, or the trimmed copy in the team's shared specs), and optionally more definitions for paths the first
// lacks (each path is taken from the first source that has it; schemas always come from the first):
//   node trim-stripe-openapi.mjs <spec3.json> [<more-paths.json> ...] > stripe-openapi-subset.json
// The shared copy (../shared/specs/stripe-spec3.trimmed.json) has no dispute paths, so the subset is made with
//   node trim-stripe-openapi.mjs ../shared/specs/stripe-spec3.trimmed.json stripe-spec3-dispute-paths.json
// Kept beside its output so the subset can be audited against its source. What it keeps: the response schemas of the
// endpoints the Stripe fake serves, and the schemas of every object the fake sends (event, dispute, error), with
// everything they reference (customer, setup_intent and mandate too, since the fake serves them). References to
// objects the fake never expands (a deleted customer, balance transactions, ...)
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
  "/v1/disputes": ["get"],
  "/v1/disputes/{dispute}": ["get"],
  // Saved payment methods: the customer a method is saved for, the SetupIntent that saves it, attach and detach.
  "/v1/customers": ["post"],
  "/v1/customers/{customer}": ["get"],
  "/v1/setup_intents": ["get", "post"],
  "/v1/setup_intents/{intent}": ["get"],
  "/v1/setup_intents/{intent}/confirm": ["post"],
  "/v1/payment_methods/{payment_method}": ["get"],
  "/v1/payment_methods/{payment_method}/attach": ["post"],
  "/v1/payment_methods/{payment_method}/detach": ["post"],
};
const ROOTS = ["event", "dispute", "error", "payment_intent", "refund", "charge", "payment_method", "customer", "setup_intent", "mandate"];
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

const [spec, ...more] = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, "utf8")));
if (!spec) throw new Error("usage: node trim-stripe-openapi.mjs <spec3.json> [<more-paths.json> ...]");
for (const extra of more) {
  // Paths from another definition must be of the same API version, or the subset would mix two.
  if (extra.info?.version !== spec.info?.version) throw new Error(`a second source is API ${extra.info?.version}, not ${spec.info?.version}`);
}
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
    const schema = [spec, ...more]
      .map((source) => source.paths?.[path]?.[method]?.responses?.["200"]?.content?.["application/json"]?.schema)
      .find((found) => found !== undefined);
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
