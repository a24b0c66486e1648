/** The largest page any list answers; a bigger request gets this many, a request below one gets one. */
export const MAX_PAGE_LIMIT = 500;

/** A requested page size made one every store answers alike: a whole number from 1 to `MAX_PAGE_LIMIT`. */
export function clampPageLimit(limit: number): number {
  return Math.min(MAX_PAGE_LIMIT, Math.max(1, Math.trunc(limit) || 1));
}
