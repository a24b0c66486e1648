/** `R-2026-000123`: the year of issue, then the year's counter, zero-padded to six digits (more digits past a million). */
export function formatReceiptNumber(year: number, sequence: number): string {
  return `R-${String(year).padStart(4, "0")}-${String(sequence).padStart(6, "0")}`;
}
