import { validationErrorOf, zodIssues } from "../../validation/zod-issues.js";
import { metadata, references } from "./input-fields.js";

/*
 * JSON merge patches (RFC 7396) of string records, for the updates that take them (payments' metadata and
 * references, customers' metadata): the patch applied, then the whole record held to the rules it had on create.
 */

/** A merge patch applied to a record: null removes a key. */
function mergeRecord(current: Record<string, string>, patch: Record<string, string | null>): Record<string, string> {
  const merged: Record<string, string> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** The patched record, held to the same limits as on create (entries, values). */
export function patchedRecord(field: "metadata" | "references", current: Record<string, string>, patch: Record<string, string | null>): Record<string, string> {
  const merged = mergeRecord(current, patch);
  const checked = (field === "metadata" ? metadata : references).safeParse(merged);
  if (!checked.success) throw validationErrorOf(field, zodIssues(checked.error).map((issue) => ({ ...issue, path: issue.path ? `${field}.${issue.path}` : field })));
  return checked.data;
}

