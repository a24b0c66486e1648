/**
 * Returns the exact source text of one top-level member of a JSON object, or null. PayPal's verify endpoint checks
 * the signature against the CRC32 of the event bytes as they were delivered, so the fake must look at the bytes the
 * adapter forwarded, not at a re-serialization of the parsed value.
 */
export function rawJsonMember(text: string, name: string): string | null {
  let i = skipSpace(text, 0);
  if (text[i] !== "{") return null;
  i = skipSpace(text, i + 1);
  while (i < text.length && text[i] !== "}") {
    const keyEnd = skipString(text, i);
    if (keyEnd < 0) return null;
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, keyEnd);
    if (text[i] !== ":") return null;
    const start = skipSpace(text, i + 1);
    const end = skipValue(text, start);
    if (end < 0) return null;
    if (key === name) return text.slice(start, end);
    i = skipSpace(text, end);
    if (text[i] === ",") i = skipSpace(text, i + 1);
  }
  return null;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && " \t\r\n".includes(text[i] ?? "")) i++;
  return i;
}

function skipString(text: string, i: number): number {
  if (text[i] !== '"') return -1;
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === "\\") j++;
    else if (text[j] === '"') return j + 1;
  }
  return -1;
}

function skipValue(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return skipString(text, i);
  if (first === "{" || first === "[") {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === '"') {
        j = skipString(text, j) - 1;
        if (j < 0) return -1;
      } else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < text.length && !",}] \t\r\n".includes(text[j] ?? "")) j++;
  return j > i ? j : -1;
}
