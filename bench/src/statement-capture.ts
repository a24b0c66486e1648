import type { LogEvent } from "kysely";

/** One statement as the adapter sent it to the driver. */
export interface CapturedStatement {
  sql: string;
  parameters: readonly unknown[];
}

/** A statement to replay: its SQL, and its parameters made unique for the n-th replay. */
export interface ReplayStatement {
  sql: string;
  parameters(n: number): unknown[];
}

/** Collects what kysely executed, from its `log` hook. */
export function statementLog(): { log: (event: LogEvent) => void; statements: CapturedStatement[] } {
  const statements: CapturedStatement[] = [];
  return {
    statements,
    log: (event) => {
      if (event.level === "query") statements.push({ sql: event.query.sql, parameters: [...event.query.parameters] });
    },
  };
}

/**
 * Turns one captured charge into a replayable one: every occurrence of a per-charge value (ids, idempotency keys,
 * the receipt number) in a string parameter gets the replay's suffix, so replays insert new rows instead of hitting
 * unique keys, while every other parameter (amounts, timestamps, JSON shapes) is sent exactly as captured.
 */
export function toReplay(statements: readonly CapturedStatement[], uniqueValues: readonly string[]): ReplayStatement[] {
  const tokens = [...new Set(uniqueValues)].filter((token) => token.length > 0).sort((a, b) => b.length - a.length);
  const pattern = tokens.length === 0 ? null : new RegExp(tokens.map((token) => token.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  return statements.map(({ sql, parameters }) => {
    const makers = parameters.map((value): ((n: number) => unknown) => {
      if (typeof value !== "string" || pattern === null || !pattern.test(value)) return () => value;
      pattern.lastIndex = 0;
      // Split once; each replay only joins.
      const parts = value.split(pattern);
      const found = value.match(pattern) ?? [];
      return (n) => parts.reduce((out, part, i) => out + part + (i < found.length ? `${found[i]}_${n}` : ""), "");
    });
    return { sql, parameters: (n) => makers.map((make) => make(n)) };
  });
}

/** Splits a charge's statements into transactions (BEGIN … COMMIT); a statement outside one stands alone. */
export function groupTransactions<T extends { sql: string }>(statements: readonly T[]): T[][] {
  const groups: T[][] = [];
  let open: T[] | null = null;
  for (const statement of statements) {
    const head = statement.sql.trim().toLowerCase();
    if (head.startsWith("begin") || head.startsWith("start transaction")) {
      open = [statement];
      groups.push(open);
    } else if (open !== null) {
      open.push(statement);
      if (head.startsWith("commit") || head.startsWith("rollback")) open = null;
    } else {
      groups.push([statement]);
    }
  }
  return groups;
}
