/**
 * Receipt numbers: `R-2026-000123`, the year of issue (UTC), then that year's counter, zero-padded to six digits
 * (more digits past a million). Every store allocates the counter gap-free per year and formats it here, so a
 * number reads the same whichever store issued it.
 */
export function formatReceiptNumber(year: number, sequence: number): string {
  return `R-${String(year).padStart(4, "0")}-${String(sequence).padStart(6, "0")}`;
}

/** The year (UTC) a receipt issued at `issuedAt` counts in. */
export function receiptYear(issuedAt: string): number {
  return new Date(issuedAt).getUTCFullYear();
}
