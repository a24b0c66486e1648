/**
 * ANSI colours, only when the stream is a terminal and NO_COLOR (https://no-color.org) is unset or empty. A few
 * escape codes do not earn a dependency.
 */
export interface Colours {
  readonly enabled: boolean;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export function colourEnabled(stream: { isTTY?: boolean | undefined }, env: NodeJS.ProcessEnv, flag: boolean): boolean {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  return flag && !noColor && stream.isTTY === true;
}

export function createColours(enabled: boolean): Colours {
  const wrap = (open: number, close: number) => (text: string) => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { enabled, red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}

/** Colour for a payment, refund or dispute status, so failures stand out in a long list. */
export function statusColour(colours: Colours, status: string): (text: string) => string {
  if (["succeeded", "refunded", "partially_refunded", "corrected", "delivered", "processed", "applied", "won", "warning_closed"].includes(status)) return colours.green;
  if (["failed", "canceled", "missing_locally", "missing_at_gateway", "status_mismatch", "amount_mismatch", "manual", "dead", "orphaned", "lost", "unmatched"].includes(status)) {
    return colours.red;
  }
  if (["pending", "processing", "requires_action", "authorized", "stuck", "proposed", "changed", "held", "received", "skipped", "needs_response", "under_review", "warning_needs_response", "warning_under_review"].includes(status)) return colours.yellow;
  return (text) => text;
}
