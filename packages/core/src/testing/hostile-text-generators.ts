/*
 * Text no store may keep, and text that only looks like it, generated the same on every run and every store: the
 * store kit writes and looks up these strings to prove every store refuses (or never matches) them alike.
 */

/** A small seeded generator: the same hostile strings on every run and every store, so a failure is reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Code units no text field may hold: NUL and every other C0 control but TAB/LF/CR, DEL, lone surrogates. */
const NEVER_STORABLE: readonly string[] = [
  ...Array.from({ length: 0x20 }, (_, code) => code)
    .filter((code) => code !== 0x09 && code !== 0x0a && code !== 0x0d)
    .map((code) => String.fromCharCode(code)),
  "\u007f",
  "\ud800",
  "\udbff",
  "\udc00",
  "\udfff",
  // A low surrogate before a high one is two lone surrogates, not a pair.
  "\udc00\ud800",
];

/** Line breaks and tabs: fine in free text (descriptions, reasons), refused in single-line fields. */
const LINE_BREAKS: readonly string[] = ["\n", "\r", "\t", "\r\n", "line one\nline two"];

/**
 * Harmless text around the poison, chosen to look like what it is not: a surrogate pair (an emoji), the replacement
 * character the drivers substitute for a lone surrogate, and the escaped spellings of NUL.
 */
const HARMLESS: readonly string[] = ["a", "Z9", " ", "-", "_", "ü", "€", "日本", "😀", "\ufffd", "e\u0301", "'", '"', "\\", "%00", "\\u0000", "pay_", "bk_1"];

function compose(poison: readonly string[], count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const out = new Set<string>();
  // Every poison alone, at the start, in the middle and at the end of harmless text.
  for (const p of poison) {
    out.add(p);
    out.add(`${p}${pick(HARMLESS)}`);
    out.add(`${pick(HARMLESS)}${p}${pick(HARMLESS)}`);
    out.add(`${pick(HARMLESS)}${pick(HARMLESS)}${p}`);
  }
  // Then random mixtures: a few harmless tokens with one or two poisons at random places.
  while (out.size < poison.length * 4 + count) {
    const parts = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(HARMLESS));
    for (let n = 1 + Math.floor(random() * 2); n > 0; n--) parts.splice(Math.floor(random() * (parts.length + 1)), 0, pick(poison));
    out.add(parts.join(""));
  }
  return [...out];
}

/** Generated strings no store may keep in any text field (NUL, controls, DEL, lone surrogates, anywhere). */
export function hostileTexts(count = 40, seed = 0x5eed): string[] {
  return compose(NEVER_STORABLE, count, seed);
}

/** Generated strings with line breaks or tabs: stored in free-text fields, refused in single-line ones. */
export function lineBreakTexts(count = 10, seed = 0x11e): string[] {
  return compose(LINE_BREAKS, count, seed);
}

/** Text that looks hostile and is not (escaped spellings, U+FFFD, emoji): every store keeps it verbatim. */
export const LOOKALIKE_TEXT = "50% off \\u0000 %00 😀 \ufffd e\u0301 日本";
