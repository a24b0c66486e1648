import { z } from "zod";
import { type TextRule, recordKeyProblem, recordKeyProblemMessage, textProblem, textProblemMessage } from "./acceptable-text.js";

/** A zod string that follows the acceptable-text rules, so service inputs refuse what a store could not hold. */
export function acceptableString(rule: TextRule = {}) {
  return z.string().superRefine((value, ctx) => {
    const problem = textProblem(value, rule);
    if (problem !== null) ctx.addIssue({ code: "custom", message: textProblemMessage(problem) });
  });
}

/**
 * A string-to-string record (metadata, references) whose keys and values follow the acceptable-text rules. Keys
 * are checked on the raw object, before zod copies it: a copy silently drops `__proto__`, which must be refused.
 */
export function acceptableRecord(options: {
  keyMax: number;
  valueMax: number;
  maxEntries: number;
  /** How values are held to the card-number rule: "identifier" (references) or "free_text" (metadata). */
  values: "identifier" | "free_text";
}) {
  const keys = z.unknown().superRefine((raw, ctx) => {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return;
    const names = Object.keys(raw);
    if (names.length > options.maxEntries) ctx.addIssue({ code: "custom", message: `at most ${options.maxEntries} entries` });
    for (const name of names) {
      const problem = recordKeyProblem(name, { min: 1, max: options.keyMax });
      if (problem !== null) ctx.addIssue({ code: "custom", path: [name], message: `key ${recordKeyProblemMessage(problem)}` });
    }
  });
  return keys.pipe(z.record(z.string(), acceptableString({ max: options.valueMax, refuseCardNumbers: options.values === "identifier" ? "identifier" : true })));
}
