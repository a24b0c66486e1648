import type { z } from "zod";
import { PaymentError } from "../errors/index.js";
import { maskCardNumbers } from "./card-data.js";

/** One problem with one field: where (a dotted path) and what, never the value that was sent. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** A name from the input (an unknown key, a record key on an issue path), safe to repeat: no card number, short. */
function safeName(name: PropertyKey): string {
  const text = maskCardNumbers(String(name));
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

/**
 * zod's report as issues: a path and a message each. zod's own message for unknown keys lists the keys; with
 * `unknownKeyMessage` each unknown key becomes an issue of its own with that fixed message instead.
 */
export function zodIssues(error: z.ZodError, options: { unknownKeyMessage?: string } = {}): ValidationIssue[] {
  return error.issues.flatMap((issue) => {
    const base = issue.path.map(safeName);
    if (issue.code === "unrecognized_keys" && options.unknownKeyMessage !== undefined) {
      const message = options.unknownKeyMessage;
      return issue.keys.map((name) => ({ path: [...base, safeName(name)].join("."), message }));
    }
    return [{ path: base.join("."), message: issue.message }];
  });
}

/**
 * One `validation_error` listing every issue, each naming its field (`what` names an issue about the whole input):
 * "invalid query: limit must be at most 500; status is not a status".
 */
export function validationErrorOf(what: string, issues: readonly ValidationIssue[], options: { wholeInput?: string } = {}): PaymentError {
  const whole = options.wholeInput ?? what;
  return new PaymentError("validation_error", `invalid ${what}: ${issues.map((i) => `${i.path || whole} ${i.message}`).join("; ")}`, {
    details: { issues },
  });
}
