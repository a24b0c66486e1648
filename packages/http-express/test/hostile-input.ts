import fc from "fast-check";

/**
 * Generators of input no payment may hold, for the edge property tests. Each one is hostile by construction (it
 * always carries at least one thing the rules refuse), so a request built from it must be refused whatever else
 * the generator chose.
 */

/** Characters no single-line or multi-line field accepts: NUL, other C0 controls except TAB/LF/CR, DEL. */
const FORBIDDEN_CONTROLS = [0x00, 0x01, 0x07, 0x08, 0x0b, 0x0c, 0x0e, 0x1b, 0x1f, 0x7f].map((code) => String.fromCharCode(code));
const LONE_SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"];

function luhnCheckDigit(payload: string): string {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let d = Number(payload[payload.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** Well-known test card numbers, which a careless client is most likely to paste. */
export const KNOWN_CARDS = ["4242424242424242", "4000056655665556", "5555555555554444", "378282246310005", "6011111111111117", "3566002020360505"];

/** Luhn-valid 13–19 digit numbers, written plain, in groups of four with spaces or dashes, or as card readers do. */
export const cardNumber: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom(...KNOWN_CARDS),
    // Generated numbers of a network's shape: Visa 4… (16 digits), Mastercard 51–55 (16), Discover 6011 (16).
    fc.tuple(fc.constantFrom("4", "51", "55", "6011"), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 14, maxLength: 14 })).map(([prefix, digits]) => {
      const payload = (prefix + digits.join("")).slice(0, 15);
      return payload + luhnCheckDigit(payload);
    }),
  )
  .chain((digits) =>
    fc.constantFrom(
      digits,
      digits.replace(/(\d{4})(?=\d)/g, "$1 "),
      digits.replace(/(\d{4})(?=\d)/g, "$1-"),
    ),
  );

/** What makes a text hostile: a control, a lone surrogate (only JSON can carry one) or a card number. */
function poisonCore(options: { surrogates: boolean; cards: boolean }): fc.Arbitrary<string> {
  const cores: fc.Arbitrary<string>[] = [fc.constantFrom(...FORBIDDEN_CONTROLS)];
  if (options.surrogates) cores.push(fc.constantFrom(...LONE_SURROGATES));
  if (options.cards) cores.push(cardNumber);
  return fc.oneof(...cores);
}

/**
 * A string with a hostile core between ordinary text (any Unicode, possibly empty). A card number is set apart by a
 * space, as people write it in text: digits that run straight into other digits or hex are not a card (a UUID).
 */
export function hostileText(options: { surrogates?: boolean; cards?: boolean } = {}): fc.Arbitrary<string> {
  return fc
    .tuple(fc.string({ maxLength: 12 }), poisonCore({ surrogates: options.surrogates ?? true, cards: options.cards ?? true }), fc.string({ maxLength: 12 }))
    .map(([before, core, after]) => (/^\d/.test(core) ? `${before} ${core} ${after}` : before + core + after));
}

/** Text far over any field's limit. */
export const hugeText = fc.integer({ min: 1_001, max: 20_000 }).map((length) => "x".repeat(length));

/** Names that reach an object's prototype, or name card data. */
export const reservedKey = fc.constantFrom("__proto__", "constructor", "prototype");
export const cardFieldName = fc.constantFrom("cvc", "CVV", "cvv2", "card_number", "cardNumber", "pan", "security_code", "security-code", "cvn");

/** Amounts that are not a safe positive integer of minor units, as raw JSON. */
export const badAmountJson = fc.constantFrom(
  '"100"',
  "10.5",
  "-1",
  "0",
  "9007199254740992",
  "9007199254740993",
  "18014398509481982",
  "1e400",
  "-1e400",
  "1e21",
  "null",
  "true",
  "[]",
  "{}",
  '"4242424242424242"',
  "4242424242424242.5",
);

/** Request bodies that are not a JSON object at all. (An empty body is read as `{}`, a valid request on some routes.) */
export const badJsonBody = fc.constantFrom(
  '{"amount": 100,',
  '{"amount": 100}}',
  "{'amount': 100}",
  '{"amount": NaN}',
  '{"a":}',
  "[1,2",
  "\u0000",
  '"just a string"',
  "[]",
  "null",
  "42",
  '{"__proto__": {"admin": true}, "amount": 100, "currency": "USD"}',
);

/** Percent-encodes any JavaScript string for a URL, lone surrogates included (as the invalid UTF-8 a client can send). */
export function encodeAnyText(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join("");
    } else {
      out += encodeURIComponent(text[i]!);
    }
  }
  return out;
}

/** Dates no calendar has, and strings that are no date at all. */
export const impossibleDate = fc.oneof(
  fc.constantFrom("2026-02-30", "2026-02-29", "2025-13-01", "2026-04-31", "2026-00-10", "2026-03-01T24:00:00Z", "2026-03-01T12:60:00Z", "2026-03-01T12:00:00"),
  fc.constantFrom("24h", "yesterday", "1709251200", "", "2026/03/01", "1969-12-31", "+002026-03-01"),
  hostileText({ surrogates: false }),
);

/** A window whose start is not before its end, in the accepted forms. */
export const reversedWindow = fc
  .tuple(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 5_000 }), fc.boolean())
  .map(([startDay, back, dateOnly]) => {
    const start = new Date(Date.UTC(2020, 0, 1) + startDay * 86_400_000);
    const end = new Date(start.getTime() - back * 86_400_000);
    const text = (d: Date) => (dateOnly ? d.toISOString().slice(0, 10) : d.toISOString());
    return { from: text(start), to: text(end) };
  });

/** Cursors no store issued: words, ids, card numbers, controls, truncations of nothing. */
export const foreignCursor = fc.oneof(
  fc.constantFrom("garbage", "pay_01J0000000000000000000000", "eyJ2IjoyLCJhZnRlciI6InBheV94In0", "AAAA", "=="),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/).filter((text) => !text.startsWith("eyJ")),
  cardNumber,
  hostileText({ surrogates: false }),
  hugeText,
);
