import { isCardDataFieldName, mayHoldCardNumber, maskCardNumbers } from "@org/payments-core";
import { summarizeError } from "./error-summary.js";

/**
 * Scrubs a log record whatever its shape, because card data and credentials arrive in fields nobody planned for:
 * a card number a client typed into a URL path, a driver error quoting a row, a host logging a request body.
 * - card numbers (core's detector: Luhn-valid 13–19 digits, with or without spaces or dashes) are masked in every
 *   string, key and large number;
 * - fields named for card data (cvc, cvv, security_code, card_number, pan…) or credentials (authorization,
 *   cookie, password, secret, token…) are replaced whole;
 * - bearer tokens and JWTs are masked inside any string;
 * - errors anywhere are reduced to what error-summary allows.
 */
export const REDACTED = "[redacted]";

const CREDENTIAL_FIELDS = new Set([
  "authorization",
  "proxyauthorization",
  "cookie",
  "setcookie",
  "password",
  "passwd",
  "secret",
  "clientsecret",
  "webhooksecret",
  "token",
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "apikey",
  "xapikey",
  "stripesignature",
  "paypaltransmissionsig",
  "simulatedsignature",
  "paymentssignature",
]);

/** Field names repeat from line to line; their verdicts are remembered (a bounded cache). */
const fieldVerdicts = new Map<string, boolean>();

export function isSecretFieldName(name: string): boolean {
  let secret = fieldVerdicts.get(name);
  if (secret === undefined) {
    secret = isCardDataFieldName(name) || CREDENTIAL_FIELDS.has(name.toLowerCase().replace(/[-_\s]/g, ""));
    if (fieldVerdicts.size >= 2_000) fieldVerdicts.clear();
    fieldVerdicts.set(name, secret);
  }
  return secret;
}

const CREDENTIAL_SCHEME = /\b(Bearer|Basic)\s+[^\s"',;]+/gi;
const JWT = /\beyJ[\w-]{2,}\.[\w-]{2,}\.[\w-]*/g;
/** A log line is not a data store: very long strings are cut, which also bounds the scan below. */
const MAX_STRING = 16_384;
const MAX_DEPTH = 10;
const MAX_KEYS = 200;

/**
 * Cheap tests first: most log text holds no 13-digit run and no token, and is returned as it is. Both are
 * supersets of what the masks look for (the card test is core's own), so nothing they would mask is skipped.
 */
const MAYBE_TOKEN = /bearer|basic|eyJ/i;

export function scrubLogText(text: string): string {
  const bounded = text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}…[truncated]` : text;
  const tokens = MAYBE_TOKEN.test(bounded) ? bounded.replace(CREDENTIAL_SCHEME, `$1 ${REDACTED}`).replace(JWT, "[jwt]") : bounded;
  return mayHoldCardNumber(tokens) ? maskCardNumbers(tokens) : tokens;
}

function scrubNumber(value: number | bigint): number | bigint | string {
  // Only integers of 13+ digits can be card numbers; amounts and counts stay numbers.
  const digits = value.toString();
  return digits.length >= 13 && maskCardNumbers(digits) !== digits ? "[card]" : value;
}

function scrub(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  switch (typeof value) {
    case "string":
      return scrubLogText(value);
    case "number":
      return Number.isInteger(value) ? scrubNumber(value) : value;
    case "bigint":
      return scrubNumber(value);
    case "boolean":
    case "undefined":
      return value;
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (depth >= MAX_DEPTH) return "[too deep]";
  if (seen.has(object)) return "[circular]";
  seen.add(object);
  try {
    if (object instanceof Error) return scrub(summarizeError(object), depth + 1, seen);
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? "Invalid Date" : object.toISOString();
    if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) return `[${object.byteLength} bytes]`;
    if (Array.isArray(object)) return object.slice(0, MAX_KEYS).map((item) => scrub(item, depth + 1, seen));
    if (object instanceof Map) return scrub(Object.fromEntries(object), depth, seen);
    if (object instanceof Set) return scrub([...object], depth, seen);
    const toJSON = (object as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return scrub(toJSON.call(object), depth + 1, seen);
    // A null-prototype copy: a key such as "__proto__" stays a plain key.
    const out: Record<string, unknown> = Object.create(null);
    let count = 0;
    for (const key of Object.keys(object)) {
      if (++count > MAX_KEYS) {
        out["[more keys]"] = Object.keys(object).length - MAX_KEYS;
        break;
      }
      const inner = (object as Record<string, unknown>)[key];
      out[scrubLogText(key)] = isSecretFieldName(key) ? REDACTED : scrub(inner, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(object);
  }
}

/** A scrubbed copy of any log value (a record, an error, a string). */
export function scrubLogValue(value: unknown): unknown {
  return scrub(value, 0, new WeakSet());
}

/** pino's own fields: `time` is a 13-digit number that may pass Luhn by chance; it is not data. */
const LOGGER_FIELDS = new Set(["level", "time", "pid"]);

/**
 * Any key that might name card data or a credential, as it appears in JSON: a superset of isSecretFieldName, to
 * decide cheaply whether a line needs parsing at all.
 */
const MAYBE_SECRET_KEY = /(cv[cvn]|csc|cid|pan|security|card|auth|cookie|passw|secret|token|apikey|sig)[^"]*":/i;

/** Scrubs one serialized JSON log line (the last step before it is written), keeping pino's own fields. */
export function scrubLogLine(line: string): string {
  // pino's `time` is a 13-digit number: it is not data, and must not make every line look suspect.
  const data = line.replace(/"time":\d+/, "");
  // Separators are dropped for the key test, as isSecretFieldName ignores them ("security-code", "api_key").
  if (!mayHoldCardNumber(data) && !MAYBE_TOKEN.test(data) && !MAYBE_SECRET_KEY.test(data.replace(/[-_\s]/g, ""))) return line;
  const newline = line.endsWith("\n") ? "\n" : "";
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return scrubLogText(line.trimEnd()) + newline;
  }
  if (record === null || typeof record !== "object" || Array.isArray(record)) return JSON.stringify(scrubLogValue(record)) + newline;
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, value] of Object.entries(record)) {
    out[scrubLogText(key)] = LOGGER_FIELDS.has(key) && typeof value === "number" ? value : isSecretFieldName(key) ? REDACTED : scrubLogValue(value);
  }
  return JSON.stringify(out) + newline;
}
