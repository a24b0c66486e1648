import type { PaymentsLogger } from "./default-logger.js";
import { scrubLogText, scrubLogValue } from "./log-scrubbing.js";

/** What the router logs through: a record and a message, both scrubbed before the host's logger sees them. */
export interface RouterLog {
  info(record: Record<string, unknown>, message: string): void;
  warn(record: Record<string, unknown>, message: string): void;
  error(record: Record<string, unknown>, message: string): void;
}

/**
 * The router scrubs its own records itself, so a host's logger (pino without our options, winston, a test spy)
 * never receives a card number from a URL path or a driver error's row data.
 */
export function scrubbedLogger(logger: PaymentsLogger): RouterLog {
  const write = (level: "info" | "warn" | "error") => (record: Record<string, unknown>, message: string) => {
    logger[level](scrubLogValue(record) as object, scrubLogText(message));
  };
  return { info: write("info"), warn: write("warn"), error: write("error") };
}
