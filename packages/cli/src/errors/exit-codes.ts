/**
 * Exit codes are part of the CLI's interface: scripts branch on them, so a code never changes meaning.
 * Documented in README.md ("Exit codes").
 */
export const EXIT = {
  ok: 0,
  /** Anything unexpected: a bug, an unreachable database, a file that is not a database. */
  error: 1,
  /** Bad flags or values (commander's own errors included). */
  usage: 2,
  /** reconcile found drift it did not (or could not) correct. */
  drift: 3,
  /** The database schema is older than this CLI: run `payments-cli migrate`. */
  schemaOutOfDate: 4,
  /** The operator answered no (or could not be asked) at a confirmation. */
  aborted: 5,
  /** The payment rules refused the operation (over-refund, wrong state, key reused); nothing changed. */
  refused: 6,
  /** No such payment, receipt or file. */
  notFound: 7,
  /** The provider gave no definite answer or is unavailable; re-run the same command later. */
  gatewayUnavailable: 8,
  /** Stopped by SIGINT (Ctrl-C), as shells report it (128 + 2); what was in flight was finished or left resumable. */
  interrupted: 130,
  /** Stopped by SIGTERM (128 + 15); the same guarantees as `interrupted`. */
  terminated: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
