import { it } from "vitest";
import type { CaseBody } from "./case.js";
import type { SkipReport } from "./skip-report.js";

/**
 * Registers a kit's cases against its table of rules, the same way in both kits: an adapter's own skip
 * (`skip[key]`) wins and is recorded with its reason; otherwise the case runs with a context whose `skip(reason)`
 * is recorded too. `assertEveryRuleHasACase` is called once every case is defined: a table entry without a case
 * would be a rule the report claims and nothing checks.
 */
export function caseRegistrar<K extends string>(
  kit: string,
  table: Readonly<Record<K, string>>,
  skip: Partial<Record<K, string>> | undefined,
  skips: SkipReport,
): { define: (key: K, body: CaseBody) => void; assertEveryRuleHasACase: () => void } {
  const defined = new Set<K>();
  const define = (key: K, body: CaseBody): void => {
    if (defined.has(key)) throw new Error(`${kit}: case ${key} is defined twice`);
    defined.add(key);
    const reason = skip?.[key];
    if (reason) {
      skips.record(key, reason);
      it.skip(`${table[key]} (skipped: ${reason})`, () => {});
    } else it(table[key], (context) => body(skips.watch(key, context)));
  };
  const assertEveryRuleHasACase = (): void => {
    const missing = (Object.keys(table) as K[]).filter((key) => !defined.has(key));
    if (missing.length > 0) throw new Error(`${kit}: no case for ${missing.join(", ")}`);
  };
  return { define, assertEveryRuleHasACase };
}
