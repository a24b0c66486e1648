import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { quoteValue } from "../errors/safe-text.js";

/**
 * A `--status` filter: one status, or several separated by commas (`held,orphaned`), each checked against the
 * statuses that exist, so a typo is refused (exit 2) instead of answering with an empty list. `name` is what the
 * message calls a status (`"webhook status"` → `unknown webhook status "lost"`).
 */
export function parseStatusList<S extends string>(text: string, allowed: readonly S[], name = "status"): S[] {
  return text.split(",").map((part) => checkedStatus(part.trim(), allowed, name, "use one or more of"));
}

/** A filter that takes exactly one status; the same check, the hint says "one of". */
export function parseStatus<S extends string>(text: string, allowed: readonly S[], name = "status"): S {
  return checkedStatus(text, allowed, name, "use one of");
}

function checkedStatus<S extends string>(status: string, allowed: readonly S[], name: string, hintLead: string): S {
  if (!isOneOf(status, allowed)) {
    throw new CliError("invalid_status", `unknown ${name} ${quoteValue(status)}`, EXIT.usage, `${hintLead} ${allowed.join(", ")}`);
  }
  return status;
}

function isOneOf<S extends string>(value: string, allowed: readonly S[]): value is S {
  return (allowed as readonly string[]).includes(value);
}
