/** A query's plan and whether it reads all of payments (a full scan, in table or primary-key order). */
export interface QueryPlan {
  sql: string;
  plan: string[];
  fullScanOfPayments: boolean;
}

/**
 * SQLite's EXPLAIN QUERY PLAN details: `SCAN payments` of the table, its primary key or an index of every row visits
 * every row. A SCAN of a partial index (`partialIndexes`) visits only the payments it holds, in its order, to the page.
 */
export function sqliteScans(details: readonly string[], partialIndexes: readonly string[] = []): boolean {
  return details.some((d) => {
    const step = d.trim();
    if (!/^SCAN payments\b/.test(step)) return false;
    return !partialIndexes.some((index) => step === `SCAN payments USING INDEX ${index}` || step === `SCAN payments USING COVERING INDEX ${index}`);
  });
}

/**
 * PostgreSQL's EXPLAIN: a sequential scan of payments, or a walk of its primary key that filters rows one by one
 * (the newest-first page order used as a scan).
 */
export function postgresScans(lines: readonly string[]): boolean {
  return lines.some((line, i) => {
    if (/Seq Scan on payments\b/.test(line)) return true;
    if (!/Index (Only )?Scan( Backward)? using payments_pkey on payments\b/.test(line)) return false;
    const indent = line.search(/\S/);
    for (const next of lines.slice(i + 1)) {
      if (next.search(/\S/) <= indent) break;
      if (/^\s*Filter:/.test(next)) return true;
    }
    return false;
  });
}
