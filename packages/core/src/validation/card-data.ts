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

/** True when `text` carries something that is a card number. */
export function containsCardNumber(text: string): boolean {
  for (const match of text.matchAll(DIGIT_RUN)) if (cardSpans(match[0]).length > 0) return true;
  return false;
}

/** `text` with every card number replaced by `[card]`; other digits are kept. */
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
