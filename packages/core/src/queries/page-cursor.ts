import { PaymentError } from "../errors/index.js";
import { isAcceptableText } from "../validation/acceptable-text.js";

/**
 * The list cursor every store issues: base64url (no padding) of `{"v":1,"after":"<last id of the page>"}`. Lists
 * page by id, newest first, so the id is all a cursor needs; the wrapping makes it opaque, and lets a cursor the
 * store did not issue — garbage, truncated, edited, or an old raw id — be told apart and refused with
 * `invalid_cursor` instead of silently answering an empty page.
 */
const VERSION = 1;
/** Far above any cursor we issue (ids are tens of characters). */
const MAX_CURSOR_LENGTH = 4096;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

export function encodePageCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ v: VERSION, after: lastId }), "utf8").toString("base64url");
}

function notIssued(): PaymentError {
  // The value is not repeated: a client may have pasted anything.
  return new PaymentError("invalid_cursor", "cursor was not issued by this list: pass back a nextCursor unchanged, or omit it for the first page", {
    details: { field: "cursor" },
  });
}

/** The id a cursor pages after; `invalid_cursor` for anything `encodePageCursor` did not produce. */
export function decodePageCursor(cursor: unknown): string {
  if (typeof cursor !== "string" || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) throw notIssued();
  let decoded: unknown;
  try {
    decoded = JSON.parse(strictUtf8.decode(Buffer.from(cursor, "base64url")));
  } catch {
    throw notIssued();
  }
  if (decoded === null || typeof decoded !== "object" || Array.isArray(decoded)) throw notIssued();
  const { v, after, ...rest } = decoded as Record<string, unknown>;
  if (v !== VERSION || Object.keys(rest).length > 0 || !isAcceptableText(after, { min: 1, max: MAX_CURSOR_LENGTH })) throw notIssued();
  // Byte for byte what we issue: no trailing bits, no other spelling of the same JSON.
  if (encodePageCursor(after) !== cursor) throw notIssued();
  return after;
}
