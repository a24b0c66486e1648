import facts from "./spec-facts.json" with { type: "json" };

/** JSON type names as spec-facts.json records them. */
type FactType = "null" | "boolean" | "number" | "string" | "array" | "object";

export type SpecObjectKind = "payment_intent" | "refund" | "event";

function typeOf(value: unknown): FactType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value as FactType;
}

/**
 * Differences between an object the fake sends and Stripe's canonical example of that object (trimmed from
 * stripe/openapi fixtures3.json, MIT): fields missing, fields the adapter relies on being null-less where the
 * example has a value, and type mismatches. An empty list means the shapes agree.
 */
export function specMismatches(kind: SpecObjectKind, object: Record<string, unknown>): string[] {
  const fields = facts.objects[kind] as Record<string, FactType>;
  const reliedOn = facts.reliedOn[kind] as string[];
  const problems: string[] = [];
  for (const [field, expected] of Object.entries(fields)) {
    if (!(field in object)) {
      problems.push(`${kind}.${field} is missing`);
      continue;
    }
    const actual = typeOf(object[field]);
    if (expected !== "null" && actual !== "null" && actual !== expected) {
      problems.push(`${kind}.${field} is ${actual}, Stripe sends ${expected}`);
    }
  }
  for (const field of reliedOn) if (!(field in object)) problems.push(`${kind}.${field} (relied on) is missing`);
  return problems;
}

export const specFactsSource: string = facts.source;
