import { PaymentError, maskCardNumbers } from "@org/payments-core";
import type { z } from "zod";

export interface Issue {
  path: string;
  message: string;
}

/** A name from the request (an unknown parameter, a record key on an issue path), safe to repeat: no card number, short. */
function safeName(name: PropertyKey): string {
  const text = maskCardNumbers(String(name));
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

/**
 * zod's issues as the router renders them: a path and a message, never the client's value. zod's own message for
 * unknown keys lists them, so those are rendered one issue per key with a fixed message instead.
 */
export function issuesOf(error: z.ZodError, unknownKeyMessage: string): Issue[] {
  return error.issues.flatMap((issue) => {
    const base = issue.path.map(safeName);
    if (issue.code === "unrecognized_keys") return issue.keys.map((name) => ({ path: [...base, safeName(name)].join("."), message: unknownKeyMessage }));
    return [{ path: base.join("."), message: issue.message }];
  });
}

/** One `validation_error` listing every issue, each naming its field. */
export function validationError(what: string, issues: Issue[]): PaymentError {
  return new PaymentError("validation_error", `invalid ${what}: ${issues.map((i) => `${i.path || what} ${i.message}`).join("; ")}`, {
    details: { issues },
  });
}
