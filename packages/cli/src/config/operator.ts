import { userInfo } from "node:os";
import { containsCardNumber } from "@org/payments-core";
import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";

export interface Operator {
  name: string;
  /** Idempotency scope: one operator's keys never collide with a customer's or another operator's. */
  scope: string;
  /** Recorded in history rows and on refunds. */
  actor: string;
}

function osUser(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    // Containers without a passwd entry for the uid.
    return undefined;
  }
}

/** `--actor`, else PAYMENTS_OPERATOR, else the OS user. */
export function resolveOperator(flag: string | undefined, env: NodeJS.ProcessEnv): Operator {
  const name = flag ?? (env.PAYMENTS_OPERATOR || undefined) ?? osUser() ?? env.USER;
  // Recorded on every history row and refund: a card number (even from PAYMENTS_OPERATOR) never becomes an actor.
  if (!name || !/^[A-Za-z0-9._@-]{1,64}$/.test(name) || containsCardNumber(name, { networks: true })) {
    throw new CliError(
      "invalid_operator",
      // The name is not repeated: whatever was typed (or set in the environment) may not be fit for a terminal.
      name ? 'the operator name must be 1–64 letters, digits, ".", "_", "@" or "-", and no card number' : "no operator name: the OS user is unknown",
      EXIT.usage,
      "pass --actor <name> or set PAYMENTS_OPERATOR",
    );
  }
  return { name, scope: `operator:${name}`, actor: `operator:${name}` };
}
