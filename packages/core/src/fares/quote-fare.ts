import { validationErrorOf, zodIssues } from "../validation/zod-issues.js";
import { z } from "zod";
import type { LineItem } from "../domain/payment.js";
import { PaymentError } from "../errors/index.js";
import type { ExactDecimal } from "../money/decimal.js";
import { compareDecimals, multiplyRoundHalfUp, parseExactDecimal } from "../money/decimal.js";
import { type Tariff, type TariffInput, tariffSchema } from "./tariff.js";

export interface FareQuote {
  tariff: string;
  currency: string;
  distanceMeters: number;
  durationSeconds: number;
  surge: string;
  lines: LineItem[];
  /** Sum of the non-tax lines. */
  subtotal: number;
  tax: number;
  total: number;
}

export const fareRequestSchema = z
  .object({
    distanceMeters: z.number().int().nonnegative().max(10_000_000),
    durationSeconds: z.number().int().nonnegative().max(7 * 24 * 3600),
    surge: z.string().optional(),
  })
  .strict();
export type FareRequest = z.input<typeof fareRequestSchema>;

const ONE: ExactDecimal = { units: 1n, scale: 0 };

/** Validates a tariff, turning zod's report into a `validation_error` with the issues as details. */
export function parseTariff(input: TariffInput | unknown): Tariff {
  const parsed = tariffSchema.safeParse(input);
  if (!parsed.success) {
    throw validationErrorOf("tariff", zodIssues(parsed.error));
  }
  return parsed.data;
}

function resolveSurge(tariff: Tariff, surge: string | undefined): ExactDecimal {
  if (surge === undefined) return ONE;
  const value = parseExactDecimal(surge, "surge");
  if (compareDecimals(value, ONE) < 0 || compareDecimals(value, parseExactDecimal(tariff.maxSurge)) > 0) {
    throw new PaymentError("validation_error", `surge must be between 1 and ${tariff.maxSurge}`, {
      details: { field: "surge" },
    });
  }
  return value;
}

function withTax(tariff: Tariff, lines: LineItem[], meta: Omit<FareQuote, "lines" | "subtotal" | "tax" | "total" | "currency" | "tariff">): FareQuote {
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  const tax = multiplyRoundHalfUp(subtotal, [parseExactDecimal(tariff.taxRate)]);
  const all = tax > 0 ? [...lines, { code: "tax", description: `Tax (${tariff.taxRate})`, amount: tax, kind: "tax" as const }] : lines;
  return { tariff: tariff.name, currency: tariff.currency, ...meta, lines: all, subtotal, tax, total: subtotal + tax };
}

/**
 * Itemized fare. Each line is computed exactly and rounded once, half-up, to minor units:
 * base × surge; perKm × metres ÷ 1000 × surge; perMinute × seconds ÷ 60 × surge; then a minimum-fare adjustment
 * that lifts the ride lines to `minimumFare`; the booking fee; and tax on the sum of those lines, rounded once.
 * The total is the sum of the lines, so the receipt always adds up.
 */
export function quoteFare(tariffInput: Tariff | TariffInput, request: FareRequest): FareQuote {
  const tariff = parseTariff(tariffInput);
  const parsed = fareRequestSchema.safeParse(request);
  if (!parsed.success) {
    throw validationErrorOf("fare request", zodIssues(parsed.error));
  }
  const { distanceMeters, durationSeconds } = parsed.data;
  const surge = resolveSurge(tariff, parsed.data.surge);
  const surgeText = parsed.data.surge ?? "1";
  const lines: LineItem[] = [
    { code: "base_fare", description: "Base fare", amount: multiplyRoundHalfUp(tariff.baseFare, [surge]), kind: "charge" },
    {
      code: "distance",
      description: `Distance (${(distanceMeters / 1000).toFixed(3)} km)`,
      amount: multiplyRoundHalfUp(tariff.perKm, [{ units: BigInt(distanceMeters), scale: 3 }, surge]),
      kind: "charge",
      quantity: `${distanceMeters} m`,
    },
    {
      code: "time",
      description: `Time (${Math.floor(durationSeconds / 60)} min ${durationSeconds % 60} s)`,
      amount: multiplyRoundHalfUp(BigInt(tariff.perMinute) * BigInt(durationSeconds), [surge], 60n),
      kind: "charge",
      quantity: `${durationSeconds} s`,
    },
  ];
  const rideTotal = lines.reduce((sum, line) => sum + line.amount, 0);
  if (rideTotal < tariff.minimumFare) {
    lines.push({
      code: "minimum_fare_adjustment",
      description: "Minimum fare adjustment",
      amount: tariff.minimumFare - rideTotal,
      kind: "charge",
    });
  }
  if (tariff.bookingFee > 0) {
    lines.push({ code: "booking_fee", description: "Booking fee", amount: tariff.bookingFee, kind: "charge" });
  }
  return withTax(tariff, lines, { distanceMeters, durationSeconds, surge: surgeText });
}

/** The fee for a cancelled ride: the tariff's cancellation fee plus tax, itemized like a ride. */
export function quoteCancellation(tariffInput: Tariff | TariffInput): FareQuote {
  const tariff = parseTariff(tariffInput);
  const lines: LineItem[] = [
    { code: "cancellation_fee", description: "Cancellation fee", amount: tariff.cancellationFee, kind: "charge" },
  ];
  return withTax(tariff, lines, { distanceMeters: 0, durationSeconds: 0, surge: "1" });
}
