import { PaymentError } from "../errors/index.js";
import { containsCardNumber, isCardDataFieldName, maskCardNumbers } from "./card-data.js";

/**
 * The one definition of text a payment may carry, applied wherever a string enters (service inputs, the router's
 * path and query parameters, the CLI's arguments) and again by the stores, so every store gives the same answer:
 * - no NUL and no other C0 control or DEL (PostgreSQL refuses NUL in text and jsonb; logs and terminals mangle the
 *   rest), except TAB, LF and CR in fields documented as multi-line (descriptions, reasons);
 * - no lone UTF-16 surrogate (not encodable as UTF-8: PostgreSQL refuses it, SQLite stores mojibake);
 * - a bounded length, counted in UTF-16 code units as JavaScript does.
 * Errors name the field and never repeat the value: it may be card data.
 */
export interface TextRule {
  /** Longest accepted length (default 1000). */
  max?: number | undefined;
  /** Shortest accepted length (default 0). */
  min?: number | undefined;
  /** Allows TAB, LF and CR. */
  multiline?: boolean | undefined;
  /**
   * Refuses a value holding a card number (card-data.ts): `true` for free text a person types (descriptions,
   * metadata values, reasons); "identifier" for ids and references, where only numbers of a card network's prefix
   * and length count, so numeric ids are not refused by chance.
   */
  refuseCardNumbers?: boolean | "identifier" | undefined;
}

export type TextProblem = "not_a_string" | "too_short" | "too_long" | "control_character" | "lone_surrogate" | "card_number";

const PROBLEM_MESSAGES: Readonly<Record<TextProblem, string>> = {
  not_a_string: "must be a string",
  too_short: "is too short",
  too_long: "is too long",
  control_character: "must not contain NUL or other control characters",
  lone_surrogate: "must be valid Unicode (it holds a lone surrogate)",
  card_number:
    "must not contain a card number: card data may only reach the provider through its own payment method tokens",
};

export function textProblemMessage(problem: TextProblem): string {
  return PROBLEM_MESSAGES[problem];
}

function isForbiddenControl(code: number, multiline: boolean): boolean {
  if (code === 0x7f) return true;
  if (code >= 0x20) return false;
  return !(multiline && (code === 0x09 || code === 0x0a || code === 0x0d));
}

/** What is wrong with `value` under `rule`, or null when it is acceptable. */
export function textProblem(value: unknown, rule: TextRule = {}): TextProblem | null {
  if (typeof value !== "string") return "not_a_string";
  if (value.length < (rule.min ?? 0)) return "too_short";
  if (value.length > (rule.max ?? 1000)) return "too_long";
  const multiline = rule.multiline ?? false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) {
      if (isForbiddenControl(code, multiline)) return "control_character";
    } else if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return "lone_surrogate";
      i++;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return "lone_surrogate";
    }
  }
  if (rule.refuseCardNumbers && containsCardNumber(value, { networks: rule.refuseCardNumbers === "identifier" })) return "card_number";
  return null;
}

export function isAcceptableText(value: unknown, rule: TextRule = {}): value is string {
  return textProblem(value, rule) === null;
}

/** Returns `value` when acceptable; otherwise throws `validation_error` naming `field` (never the value). */
export function assertAcceptableText(value: unknown, field: string, rule: TextRule = {}): string {
  const problem = textProblem(value, rule);
  if (problem === null) return value as string;
  throw new PaymentError("validation_error", `${field} ${textProblemMessage(problem)}`, {
    details: { issues: [{ path: field, message: textProblemMessage(problem) }], field, problem },
  });
}

/** Keys that would reach an object's prototype, or shadow it, when a record is copied: refused everywhere. */
export const FORBIDDEN_RECORD_KEYS: readonly string[] = ["__proto__", "constructor", "prototype"];

export type RecordKeyProblem = TextProblem | "reserved_key" | "card_field";

/** What is wrong with a record key (metadata, references), or null. */
export function recordKeyProblem(key: string, rule: TextRule = {}): RecordKeyProblem | null {
  if (FORBIDDEN_RECORD_KEYS.includes(key)) return "reserved_key";
  if (isCardDataFieldName(key)) return "card_field";
  return textProblem(key, { ...rule, refuseCardNumbers: "identifier" });
}

export function recordKeyProblemMessage(problem: RecordKeyProblem): string {
  if (problem === "reserved_key") return "is a reserved name (__proto__, constructor and prototype are refused)";
  if (problem === "card_field") return "names card data (a card number or security code), which is never accepted";
  return textProblemMessage(problem);
}

/**
 * Text from outside that we keep but did not choose — a provider's or a broker's error message — made storable
 * rather than refused: every character a store could not keep (NUL, other controls, DEL, a lone surrogate) becomes
 * U+FFFD, card numbers are masked, and it is cut to `max` code units (without splitting a surrogate pair). Line breaks
 * and tabs are kept.
 */
export function toStorableMessage(text: string, max = 2000): string {
  let out = "";
  for (let i = 0; i < text.length && out.length < max; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        if (out.length + 2 > max) break;
        out += text[i]! + text[i + 1]!;
        i++;
      } else out += "\ufffd";
    } else if ((code >= 0xdc00 && code <= 0xdfff) || isForbiddenControl(code, true)) {
      out += "\ufffd";
    } else out += text[i]!;
  }
  return maskCardNumbers(out);
}
