import type { PaymentStore } from "@org/payments-core";
import type { LogEvent } from "kysely";
import { benchService, charge, recordingIds } from "./charge.js";
import { type ReplayStatement, groupTransactions, statementLog, toReplay } from "./statement-capture.js";

/**
 * Runs one charge on a store opened (and migrated) with kysely's `log`, and returns exactly the statements it
 * issued, made replayable: every per-charge value (ids, idempotency keys, the receipt number) gets a suffix per
 * replay. Both engines' floors are built from this, so they replay the same charge the service runs.
 */
export async function captureCharge(
  open: (log: (event: LogEvent) => void) => Promise<PaymentStore>,
): Promise<{ replay: ReplayStatement[]; transactions: ReplayStatement[][] }> {
  const { log, statements } = statementLog();
  const store = await open(log);
  statements.length = 0;
  const ids = recordingIds();
  await charge(benchService(store, ids), "capture");
  await store.close();
  const receipt = statements.flatMap((s) => s.parameters).find((p): p is string => typeof p === "string" && /^R-\d{4}-\d{6}$/.test(p));
  const replay = toReplay(statements, [...ids.made, "create-capture", "confirm-capture", ...(receipt ? [receipt] : [])]);
  return { replay, transactions: groupTransactions(replay) };
}
