#!/usr/bin/env node
/**
 * Regenerates paypal-openapi.trimmed.json from PayPal's published OpenAPI documents (the copies in the steering
 * repository's shared/specs, which a user's clone does not have: the trimmed file is what the tests read).
 *
 *   node packages/test-support/src/paypal-fake/openapi/trim-paypal-openapi.mjs ../shared/specs
 *
 * Kept per document: every operation's response schemas by status (operationId → status → schema), and the
 * component schemas those reach. Dropped: prose (string `description`, `example`, `x-*`), which validation never
 * reads, and `discriminator`, which the documents use only as a hint next to an explicit `oneOf`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const DOCUMENTS = {
  orders: "paypal-checkout_orders_v2.json",
  payments: "paypal-payments_payment_v2.json",
  reporting: "paypal-reporting_transactions_v1.json",
  webhooks: "paypal-notifications_webhooks_v1.json",
  vault: "paypal-vault_payment_tokens_v3.json",
};
/** Schemas the fake sends outside an operation's response (webhook envelopes and their resources). */
const EXTRA_SCHEMAS = { webhooks: ["event"], payments: ["capture-2", "authorization-2", "refund"], orders: ["order"] };

const specsDir = process.argv[2];
if (!specsDir) {
  console.error("usage: trim-paypal-openapi.mjs <directory with the PayPal OpenAPI documents>");
  process.exit(2);
}

function prune(value) {
  if (Array.isArray(value)) return value.map(prune);
  if (value === null || typeof value !== "object") return value;
  const out = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key.startsWith("x-") || key === "example" || key === "examples" || key === "discriminator") continue;
    if ((key === "description" || key === "title") && typeof inner === "string") continue;
    out[key] = prune(inner);
  }
  return out;
}

function refsIn(value, found = new Set()) {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, found));
  else if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (key === "$ref" && typeof inner === "string") found.add(inner.replace("#/components/schemas/", ""));
      else refsIn(inner, found);
    }
  }
  return found;
}

const out = {
  _source:
    "Trimmed by trim-paypal-openapi.mjs from paypal/paypal-rest-api-specifications (openapi/, commit ec4d8f3): " +
    "checkout_orders_v2 2.13, payments_payment_v2 2.5, reporting_transactions_v1 1.9, notifications_webhooks_v1 1.11, vault_payment_tokens_v3 3.1. " +
    "Licensed under the Apache License 2.0 (Copyright PayPal). Response schemas and what they reference only.",
};
for (const [name, file] of Object.entries(DOCUMENTS)) {
  const doc = JSON.parse(readFileSync(join(specsDir, file), "utf8"));
  const operations = {};
  const responses = {};
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!op || typeof op !== "object" || !op.responses) continue;
      const id = op.operationId ?? `${method.toUpperCase()} ${path}`;
      operations[id] = { method: method.toUpperCase(), path };
      responses[id] = {};
      for (const [status, response] of Object.entries(op.responses)) {
        const resolved = response.$ref ? doc.components.responses[response.$ref.split("/").pop()] : response;
        const schema = resolved?.content?.["application/json"]?.schema;
        responses[id][status] = schema ? prune(schema) : null;
      }
    }
  }
  const keep = new Set(EXTRA_SCHEMAS[name] ?? []);
  for (const ref of refsIn(responses)) keep.add(ref);
  const queue = [...keep];
  while (queue.length) {
    const next = queue.pop();
    for (const ref of refsIn(doc.components.schemas[next])) {
      if (!keep.has(ref)) {
        keep.add(ref);
        queue.push(ref);
      }
    }
  }
  const schemas = {};
  for (const key of [...keep].sort()) {
    if (!doc.components.schemas[key]) throw new Error(`${file}: no schema ${key}`);
    schemas[key] = prune(doc.components.schemas[key]);
  }
  out[name] = { $id: `paypal-${name}`, info: { version: doc.info.version }, operations, responses, components: { schemas } };
}

const target = join(dirname(fileURLToPath(import.meta.url)), "paypal-openapi.trimmed.json");
writeFileSync(target, `${JSON.stringify(out)}\n`);
console.log(`wrote ${target}`);
