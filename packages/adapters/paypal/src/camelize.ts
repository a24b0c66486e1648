/**
 * Webhook resources arrive as PayPal's snake_case JSON, while the SDK's models (and our mappers) are camelCase. The
 * SDK maps field names by this same rule (`purchase_units` → `purchaseUnits`), so one generic conversion lets a
 * webhook's order or capture go through the same mapper as an API response.
 */
export function camelize<T>(value: unknown): T {
  if (Array.isArray(value)) return value.map((item) => camelize(item)) as T;
  if (value === null || typeof value !== "object") return value as T;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    out[key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = camelize(inner);
  }
  return out as T;
}
