import { formatMoney } from "@org/payments-core";

/** Amounts for people, per currency; never through a float. */
export function money(amount: number, currency: string): string {
  return formatMoney(amount, currency);
}

/** `2026-03-01 10:00:00Z`: sortable, unambiguous, and narrow enough for a table. */
export function when(iso: string | null | undefined): string {
  if (!iso) return "-";
  return iso.replace("T", " ").replace(/\.\d{3}Z$/, "Z");
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
