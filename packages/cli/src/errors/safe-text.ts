import { maskCardNumbers } from "@org/payments-core";

/**
 * What an operator typed may be anything (a pasted card number, escape sequences, NUL bytes): these two functions
 * are how such text may reach a terminal or a log.
 */

/** Control characters (but line breaks and tabs) and lone surrogates, which would garble or drive a terminal. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function escape(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** A message as it may be printed: card numbers masked, controls and lone surrogates shown as `\uXXXX`. */
export function safeForTerminal(text: string): string {
  return maskCardNumbers(text).replace(UNSAFE, escape);
}

/** A value quoted inside a message (`unknown status "succeded"`): made safe, and cut short. */
export function quoteValue(value: string, max = 40): string {
  const safe = safeForTerminal(value).replace(/[\n\r\t]/g, (c) => JSON.stringify(c).slice(1, -1));
  return `"${safe.length > max ? `${safe.slice(0, max)}…` : safe}"`;
}
