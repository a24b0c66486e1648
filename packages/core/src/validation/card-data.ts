/**
 * Card data detection. A card number is a Luhn-valid run of 13–19 digits, written with or without single spaces
 * or dashes between digits (as people and card readers write them). Used to refuse card data in free text and to
 * mask it in logs, whatever field it arrives in.
 */

/** Runs of 13–19 digits with optional single separators; a run longer than 19 digits is checked window by window. */
const DIGIT_RUN = /\d(?:[ -]?\d){12,}/g;

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

/** The [start, end) spans in `run` (offsets into its characters) that hold a Luhn-valid 13–19 digit card number. */
function cardSpans(run: string): Array<[number, number]> {
  const positions: number[] = [];
  for (let i = 0; i < run.length; i++) if (run[i]! >= "0" && run[i]! <= "9") positions.push(i);
  const spans: Array<[number, number]> = [];
  for (let start = 0; start < positions.length; start++) {
    for (let length = 19; length >= 13; length--) {
      if (start + length > positions.length) continue;
      const digits = positions.slice(start, start + length).map((p) => run[p]).join("");
      if (luhnValid(digits)) {
        spans.push([positions[start]!, positions[start + length - 1]! + 1]);
        start += length - 1;
        break;
      }
    }
  }
  return spans;
}

/**
 * How people write a card number: 13–19 digits in one group, or groups of four (the last may be shorter), or
 * American Express's and Diners' 4-6-5 and 4-6-4 — with one kind of separator throughout.
 */
function isCardLayout(groups: readonly string[]): boolean {
  const digits = groups.join("");
  if (digits.length < 13 || digits.length > 19) return false;
  if (groups.length === 1) return true;
  const lengths = groups.map((g) => g.length).join("-");
  if (lengths === "4-6-5" || lengths === "4-6-4") return true;
  return groups.every((g, i) => (i < groups.length - 1 ? g.length === 4 : g.length >= 1 && g.length <= 4));
}

/** A card number as the refusal rule reads it: a card layout, a card network's first digit (2–6), Luhn-valid. */
function isCardGroups(groups: readonly string[]): boolean {
  const digits = groups.join("");
  return isCardLayout(groups) && digits[0]! >= "2" && digits[0]! <= "6" && luhnValid(digits);
}

const ALPHANUMERIC = /[A-Za-z0-9]/;

/**
 * True when `text` carries a card number, by the strict reading used to refuse input: digits laid out as a card is
 * written (one group, or groups split by one kind of separator), standing alone (no letter or digit right before or
 * after: `…8772-5338ed27…` in a UUID is not a group), starting with a card network's digit and Luhn-valid. So digits
 * that merely contain a Luhn-valid window — a UUID, a 20-digit number — are not refused by chance. Logs use the
 * wider `maskCardNumbers`.
 */
export function containsCardNumber(text: string): boolean {
  for (const match of text.matchAll(DIGIT_RUN)) {
    const run = match[0];
    const at = match.index ?? 0;
    const before = text[at - 1];
    const after = text[at + run.length];
    const groups = run.split(/[ -]/);
    const separators = run.match(/[ -]/g) ?? [];
    // Any consecutive groups may be the card (a reference number before it, an expiry after it), with one kind of
    // separator between them and standing alone at the run's ends.
    for (let start = 0; start < groups.length; start++) {
      if (start === 0 && before !== undefined && ALPHANUMERIC.test(before)) continue;
      for (let end = start + 1; end <= groups.length; end++) {
        if (end > start + 1 && separators[end - 2] !== separators[start]) break;
        if (end === groups.length && after !== undefined && ALPHANUMERIC.test(after)) continue;
        if (isCardGroups(groups.slice(start, end))) return true;
      }
    }
  }
  return false;
}

/** True when the whole of `text` (trimmed) is a card number: the rule for identifiers (owners, customer ids, references). */
export function isCardNumber(text: string): boolean {
  const trimmed = text.trim();
  if (!/^\d(?:[ -]?\d){12,}$/.test(trimmed)) return false;
  const separator = /[ -]/.exec(trimmed)?.[0];
  const groups = separator === undefined ? [trimmed] : trimmed.split(separator);
  return groups.every((g) => /^\d+$/.test(g)) && isCardGroups(groups);
}

/**
 * `text` with every card number replaced by `[card]`, for logs: wider than the refusal rule (any Luhn-valid window of
 * 13–19 digits, any separators), because masking an order number by chance costs nothing and missing a card
 * number costs a breach. Other digits are kept.
 */
export function maskCardNumbers(text: string): string {
  return text.replace(DIGIT_RUN, (run) => {
    const spans = cardSpans(run);
    if (spans.length === 0) return run;
    let out = "";
    let at = 0;
    for (const [start, end] of spans) {
      out += run.slice(at, start) + "[card]";
      at = end;
    }
    return out + run.slice(at);
  });
}

/** Field names that carry card security codes or full card data; their values are never stored or logged. */
const CARD_FIELD = /^(?:cvc2?|cvv2?|cvn|csc|cid|security_?code|card_?(?:number|num|no|cvc|cvv)|pan|cardnumber)$/i;

export function isCardDataFieldName(name: string): boolean {
  return CARD_FIELD.test(name.replace(/[-\s]/g, "_"));
}
