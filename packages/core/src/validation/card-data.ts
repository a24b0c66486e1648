/**
 * Card data detection, in three strengths for three uses:
 * - `maskCardNumbers`, for logs and error bodies: the widest — any Luhn-valid window of 13–19 digits, however the
 *   digits are separated. Masking an order number by chance costs nothing; missing a card number costs a breach.
 * - `containsCardNumber`, for free text a person types (descriptions, metadata, reasons, URLs): a number written as
 *   cards are written — one group of 13–19 digits, or groups of four (the last may be shorter) or 4-6-5 / 4-6-4,
 *   split by one kind of separator (a space or a run of spaces, a dash, a dot) — that passes Luhn.
 * - `containsCardNumber(text, { networks: true })`, for identifiers (owners, customer ids, references, keys): the
 *   same, and the digits must also start and be as long as a card network's numbers are (Visa 4…, Mastercard 51–55
 *   and 2221–2720, Amex 34/37, …), so numeric ids such as snowflake ids (which start with 1) are not refused by
 *   chance.
 * In both refusal readings UUIDs (8-4-4-4-12 hex) are set aside first — about 1 in 140 random UUIDs holds a
 * Luhn-valid 4-4-4-4 run — and a single group of digits (no separators) must have a card network's shape too, so
 * epoch-millisecond timestamps and snowflake ids in free text are not refused by chance.
 */

/** Separators people and forms put between a card's digit groups: spaces of any kind, a dash, a dot, `+`, `%20`. */
const SEPARATOR_SOURCE = String.raw`[\s\u00a0\u2007\u2009\u202f]+|[.+-]|%20`;
const DIGIT_RUN = new RegExp(String.raw`\d(?:(?:${SEPARATOR_SOURCE})?\d){12,}`, "g");
const DIGIT_RUN_ANYWHERE = new RegExp(DIGIT_RUN.source);
const SEPARATOR = new RegExp(SEPARATOR_SOURCE, "g");
const UUID = /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}/g;

/** A cheap first test for hot paths (log lines): false means no reading here can find a card number in `text`. */
export function mayHoldCardNumber(text: string): boolean {
  return DIGIT_RUN_ANYWHERE.test(text);
}

/** One kind per separator, so a run of spaces and a single space count as the same. */
function separatorKind(separator: string): string {
  return /^[\s\u00a0\u2007\u2009\u202f]+$/.test(separator) ? " " : separator;
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * True when `run` holds a Luhn-valid window of 13–19 of its digits — read both with its separators taken out (so the
 * digits of a `%20` are not mistaken for the card's) and with every non-digit taken out.
 */
function hasLuhnWindow(run: string): boolean {
  return hasLuhnWindowIn(run.split(SEPARATOR).join("")) || hasLuhnWindowIn(run.replace(/\D/g, ""));
}

function hasLuhnWindowIn(digits: string): boolean {
  for (let start = 0; start + 13 <= digits.length; start++) {
    for (let length = 13; length <= 19 && start + length <= digits.length; length++) if (luhnValid(digits.slice(start, start + length))) return true;
  }
  return false;
}

/** How people write a card number: one group, groups of four (the last may be shorter), or 4-6-5 and 4-6-4. */
function isCardLayout(groups: readonly string[]): boolean {
  const length = groups.reduce((n, g) => n + g.length, 0);
  if (length < 13 || length > 19) return false;
  if (groups.length === 1) return true;
  const lengths = groups.map((g) => g.length).join("-");
  if (lengths === "4-6-5" || lengths === "4-6-4") return true;
  return groups.every((g, i) => (i < groups.length - 1 ? g.length === 4 : g.length >= 1 && g.length <= 4));
}

/** Digits that start and are as long as some card network's numbers (ISO/IEC 7812 issuer ranges in use). */
function isNetworkNumber(digits: string): boolean {
  const n = digits.length;
  const two = Number(digits.slice(0, 2));
  const three = Number(digits.slice(0, 3));
  const four = Number(digits.slice(0, 4));
  switch (digits[0]) {
    case "4": // Visa
      return n === 13 || n === 16 || n === 19;
    case "5": // Mastercard 51–55; Maestro 50, 56–59
      return two >= 51 && two <= 55 ? n === 16 : n >= 13;
    case "2": // Mastercard 2221–2720; Mir 2200–2204
      return (four >= 2221 && four <= 2720 && n === 16) || (four >= 2200 && four <= 2204 && n >= 16);
    case "3": // Amex 34/37; Diners 300–305, 36, 38, 39; JCB 3528–3589
      if (two === 34 || two === 37) return n === 15;
      if ((three >= 300 && three <= 305) || two === 36 || two === 38 || two === 39) return n >= 14;
      return four >= 3528 && four <= 3589 && n >= 16;
    case "6": // Discover, UnionPay, Maestro, RuPay
      return n >= 13;
    case "8": // RuPay 81, 82
      return (two === 81 || two === 82) && n === 16;
    case "9": // troy
      return four === 9792 && n === 16;
    default:
      return false;
  }
}

export interface CardReading {
  /** Identifiers: only numbers of a card network's shape (prefix and length) count. */
  networks?: boolean | undefined;
}

/** True when `text` carries a card number, by the refusal reading (see the file's comment). */
export function containsCardNumber(text: string, reading: CardReading = {}): boolean {
  const scanned = text.replace(UUID, " ");
  for (const match of scanned.matchAll(DIGIT_RUN)) {
    const run = match[0];
    const groups = run.split(SEPARATOR);
    const separators = (run.match(SEPARATOR) ?? []).map(separatorKind);
    // Any consecutive groups with one kind of separator between them may be the card (a reference number before
    // it, an expiry after it).
    for (let start = 0; start < groups.length; start++) {
      for (let end = start + 1; end <= groups.length; end++) {
        if (end > start + 1 && separators[end - 2] !== separators[start]) break;
        const slice = groups.slice(start, end);
        if (!isCardLayout(slice)) continue;
        const digits = slice.join("");
        // Written in groups, it is written as a card; one bare group of digits must also look like a network's.
        const networkShape = reading.networks === true || slice.length === 1;
        if (luhnValid(digits) && (!networkShape || isNetworkNumber(digits))) return true;
      }
    }
  }
  return false;
}

/**
 * `text` with every card number replaced by `[card]`, for logs and error bodies: the widest reading (any Luhn-valid
 * window of 13–19 digits, any separators). A run of digits holding one is masked whole, so no digit of the card is
 * left beside the mask; other digits are kept.
 */
export function maskCardNumbers(text: string): string {
  return text.replace(DIGIT_RUN, (run) => (hasLuhnWindow(run) ? "[card]" : run));
}

/** Field names that carry card security codes or full card data; their values are never stored or logged. */
const CARD_FIELD = /^(?:cvc2?|cvv2?|cvn|csc|cid|security_?code|card_?(?:number|num|no|cvc|cvv)|pan|cardnumber)$/i;

export function isCardDataFieldName(name: string): boolean {
  return CARD_FIELD.test(name.replace(/[-\s]/g, "_"));
}
