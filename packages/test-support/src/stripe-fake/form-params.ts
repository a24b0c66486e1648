/**
 * Decodes Stripe's form encoding (`metadata[payment_id]=x&expand[0]=latest_charge&created[gte]=1`) into nested
 * objects and arrays, the way Stripe's API reads it. Values stay strings: Stripe sends booleans and numbers as text
 * and each endpoint coerces what it needs.
 */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormParams = { [key: string]: FormValue };

function segmentsOf(key: string): string[] {
  const first = key.indexOf("[");
  if (first === -1) return [key];
  const segments = [key.slice(0, first)];
  for (const match of key.slice(first).matchAll(/\[([^\]]*)\]/g)) segments.push(match[1] ?? "");
  return segments;
}

function assign(target: FormParams | FormValue[], segments: string[], value: string): void {
  const [head = "", ...rest] = segments;
  const container = target as Record<string, FormValue>;
  // `expand[]=a` appends; `expand[0]=a` places by index. Both become arrays.
  const slot = Array.isArray(target) && head === "" ? String(target.length) : head;
  if (rest.length === 0) {
    container[slot] = value;
    return;
  }
  const wantsArray = rest[0] === "" || /^\d+$/.test(rest[0] ?? "");
  let child = container[slot];
  if (child === undefined || typeof child === "string") {
    child = wantsArray ? [] : {};
    container[slot] = child;
  }
  assign(child as FormParams | FormValue[], rest, value);
}

export function parseFormParams(text: string): FormParams {
  const params: FormParams = {};
  for (const [key, value] of new URLSearchParams(text)) assign(params, segmentsOf(key), value);
  return params;
}

/** A stable text form of decoded params, so the idempotency layer compares parameters, not byte order. */
export function canonicalParams(value: FormValue | FormParams): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalParams).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalParams(value[k] as FormValue)}`).join(",")}}`;
}

export function stringParam(params: FormParams, key: string): string | undefined {
  const value = params[key];
  return typeof value === "string" ? value : undefined;
}

export function objectParam(params: FormParams, key: string): Record<string, string> | undefined {
  const value = params[key];
  if (value === undefined || typeof value === "string" || Array.isArray(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  return out;
}

export function listParam(params: FormParams, key: string): string[] {
  const value = params[key];
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  if (value !== undefined) return Object.values(value).filter((v): v is string => typeof v === "string");
  return [];
}
