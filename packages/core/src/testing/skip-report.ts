import type { TestContext } from "vitest";

/**
 * The skips of one kit run, printed when the suite ends: vitest's default reporter shows only "4 skipped", and an
 * author reading a CI log must see which rules were not proven and why without re-running with `--reporter=verbose`.
 */
export class SkipReport {
  readonly #skips: Array<{ key: string; reason: string }> = [];

  constructor(private readonly suite: string) {}

  /** Records a skip the adapter asked for (`options.skip`). */
  record(key: string, reason: string): void {
    this.#skips.push({ key, reason });
  }

  /** The case's context, its `skip(reason)` recorded here before it skips. */
  watch(key: string, context: TestContext): TestContext {
    const record = (reason: string | undefined) => this.record(key, reason ?? "no reason given");
    const skip = ((conditionOrNote?: boolean | string, note?: string) => {
      if (typeof conditionOrNote === "boolean") {
        if (conditionOrNote) record(note);
        return context.skip(conditionOrNote, note);
      }
      record(conditionOrNote);
      return context.skip(conditionOrNote);
    }) as TestContext["skip"];
    return new Proxy(context, { get: (target, property) => (property === "skip" ? skip : Reflect.get(target, property, target)) });
  }

  /** Prints every skip with its reason; nothing when every case ran. */
  print(): void {
    if (this.#skips.length === 0) return;
    const lines = this.#skips.map(({ key, reason }) => `  - ${key}: ${reason}`);
    console.info(`${this.suite}: ${this.#skips.length} case(s) not run, each rule left unproven:\n${lines.join("\n")}`);
  }
}
