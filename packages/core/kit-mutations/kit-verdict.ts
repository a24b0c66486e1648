import { beforeEach, describe, expect, it } from "vitest";

/** What the runner reads off each verdict test (its `meta`) to print the table. */
export interface KitMutationVerdict {
  kit: string;
  /** `baseline` for the unmutated adapter, else the mutant's id. */
  subject: string;
  breaks: string;
  mustFail: string[];
  /** Named cases that failed, as they must. */
  caughtBy: string[];
  /** Named cases that passed: the mutant got past them. */
  missedBy: string[];
  /** Cases not named that failed too (a side effect of the broken rule, or an unrelated crash). */
  alsoFailed: string[];
  /**
   * Cases that ran out of time, named or not. A timeout says the machine was slow (or the mutant hung a case), not
   * that the kit noticed the broken rule, so it never counts as catching: a named case that timed out is missed.
   */
  timedOut: string[];
  passed: number;
  skipped: number;
  /**
   * `caught`, `SURVIVED` (no case failed), `MISSED` (only unnamed cases failed), `TIMED OUT` (a named case ran out of
   * time instead of failing), `CRASHED` (no case ran), `known gap`.
   */
  outcome: string;
  knownGap?: string;
}

declare module "vitest" {
  interface TaskMeta {
    kitMutation?: KitMutationVerdict;
  }
}

type CaseOutcome = "pass" | "fail" | "skip" | "timeout";

/** How vitest words a case that ran past its testTimeout. */
const TIMED_OUT = /^Test timed out in \d+ms/;
const recorded = new Map<string, Array<{ title: string; outcome: CaseOutcome }>>();

/**
 * Registers a kit (`register` calls describeStoreContract or describeGatewayContract) inside a describe that
 * records how each of its cases ended, for the verdicts registered after it in the same file (a file runs its
 * tests in order). The kit's own cases then fail as they will; only the verdicts decide the check.
 */
export function recordKit(label: string, register: () => void): void {
  const outcomes: Array<{ title: string; outcome: CaseOutcome }> = [];
  recorded.set(label, outcomes);
  describe(label, () => {
    beforeEach((context) => {
      context.onTestFinished(() => {
        const { state, errors = [] } = context.task.result ?? {};
        const timedOut = errors.some((error) => TIMED_OUT.test(error.message ?? ""));
        outcomes.push({ title: context.task.name, outcome: state === "pass" ? "pass" : state === "skip" ? "skip" : timedOut ? "timeout" : "fail" });
      });
    });
    register();
  });
}

/** The kit's key for a case title (a skipped case's title carries its reason after the rule's words). */
function keyOf(title: string, table: Readonly<Record<string, string>>): string {
  const exact = Object.keys(table).find((key) => table[key] === title);
  if (exact) return exact;
  const prefixed = Object.keys(table)
    .filter((key) => title.startsWith(table[key]!))
    .sort((a, b) => table[b]!.length - table[a]!.length)[0];
  return prefixed ?? `(unkeyed) ${title}`;
}

export interface VerdictSubject {
  id: string;
  breaks: string;
  mustFail: readonly string[];
  /**
   * Set when the kit is known not to guard this rule yet: the mutant may survive (shown in the table) without
   * failing the check, and the check fails once a case catches it, so the mark is removed and the case pinned.
   */
  knownGap?: string;
}

/**
 * One verdict test for the unmutated adapter (every case must pass: a kit that failed everything would otherwise
 * "catch" every mutant) and one per mutant: every case it names must fail. A mutant that fails only unnamed cases
 * proves little (an unrelated crash), so it fails the check as surely as one that passes the whole kit.
 */
export function describeVerdicts(kit: string, table: Readonly<Record<string, string>>, baselineLabel: string, mutants: ReadonlyArray<{ label: string; subject: VerdictSubject }>): void {
  const outcomesOf = (label: string) => {
    const outcomes = recorded.get(label) ?? [];
    const keys = (outcome: CaseOutcome) => [...new Set(outcomes.filter((o) => o.outcome === outcome).map((o) => keyOf(o.title, table)))];
    return { ran: outcomes.length, failed: keys("fail"), timedOut: keys("timeout"), passed: keys("pass").length, skipped: keys("skip").length };
  };

  describe(`verdicts: ${kit} kit`, () => {
    it(`the unmutated ${kit} passes every case of its kit`, (context) => {
      const { ran, failed, timedOut, passed, skipped } = outcomesOf(baselineLabel);
      const outcome = ran === 0 ? "CRASHED" : failed.length > 0 ? "FAILED" : timedOut.length > 0 ? "TIMED OUT" : "passes";
      context.task.meta.kitMutation = { kit, subject: "baseline", breaks: "(nothing: the real adapter)", mustFail: [], caughtBy: [], missedBy: [], alsoFailed: failed, timedOut, passed, skipped, outcome };
      expect(ran, "no case of the kit ran for the unmutated adapter").toBeGreaterThan(0);
      expect(failed, "the unmutated adapter must pass its own kit").toEqual([]);
      expect(timedOut, "cases of the unmutated adapter ran out of time (a loaded machine?): the verdicts mean nothing until they pass").toEqual([]);
    });

    for (const { label, subject } of mutants) {
      it(`mutant ${subject.id} is caught by ${subject.mustFail.join(", ") || "(no case named)"}`, (context) => {
        const { ran, failed, timedOut, passed, skipped } = outcomesOf(label);
        const caughtBy = subject.mustFail.filter((key) => failed.includes(key));
        const missedBy = subject.mustFail.filter((key) => !failed.includes(key));
        const alsoFailed = failed.filter((key) => !subject.mustFail.includes(key));
        const caught = subject.mustFail.length > 0 && missedBy.length === 0;
        const timedOutNamed = missedBy.filter((key) => timedOut.includes(key));
        const outcome =
          ran === 0 ? "CRASHED" : caught ? "caught" : subject.knownGap ? "known gap" : timedOutNamed.length > 0 ? "TIMED OUT" : failed.length === 0 ? "SURVIVED" : "MISSED";
        context.task.meta.kitMutation = {
          kit,
          subject: subject.id,
          breaks: subject.breaks,
          mustFail: [...subject.mustFail],
          caughtBy,
          missedBy,
          alsoFailed,
          timedOut,
          passed,
          skipped,
          outcome,
          ...(subject.knownGap ? { knownGap: subject.knownGap } : {}),
        };
        for (const key of subject.mustFail) expect(Object.keys(table), `mutant ${subject.id} names a case the kit does not have`).toContain(key);
        expect(ran, `mutant ${subject.id}: no case of the kit ran (its harness crashed)`).toBeGreaterThan(0);
        if (subject.knownGap) {
          expect(failed, `mutant ${subject.id} is marked a known gap (${subject.knownGap}) but is caught now: pin its case and remove the mark`).toEqual([]);
          return;
        }
        expect(subject.mustFail.length, `mutant ${subject.id} names no case that must catch it`).toBeGreaterThan(0);
        expect(timedOutNamed, `mutant ${subject.id}: named cases ran out of time, which proves nothing either way (a loaded machine, or the mutant hangs them)`).toEqual([]);
        expect(missedBy, `mutant ${subject.id} (${subject.breaks}) got past named cases; other failures: ${alsoFailed.join(", ") || "none"}`).toEqual([]);
      });
    }
  });
}
