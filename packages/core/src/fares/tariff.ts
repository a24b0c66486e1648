import { z } from "zod";
import { CURRENCY_EXPONENTS } from "../money/currencies.js";
import { compareDecimals, isExactDecimalString, parseExactDecimal } from "../money/decimal.js";

const minorUnits = z.number().int().nonnegative().refine(Number.isSafeInteger, "must be a safe integer");
const decimalString = z.string().refine(isExactDecimalString, 'must be a decimal string such as "1.5"');

/**
 * A tariff: fees in minor units of `currency`, rates as exact decimal strings. Surge applies to the base fare,
 * distance and time; never to the booking fee, the minimum fare or the cancellation fee.
 */
export const tariffSchema = z
  .object({
    name: z.string().min(1).max(100),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .refine((code) => CURRENCY_EXPONENTS.has(code), "unknown ISO 4217 currency"),
    baseFare: minorUnits,
    perKm: minorUnits,
    perMinute: minorUnits,
    minimumFare: minorUnits,
    bookingFee: minorUnits.default(0),
    cancellationFee: minorUnits.default(0),
    taxRate: decimalString.default("0"),
    maxSurge: decimalString.default("1"),
  })
  .strict()
  .refine((t) => compareDecimals(parseExactDecimal(t.maxSurge), parseExactDecimal("1")) >= 0, {
    message: "maxSurge must be at least 1",
    path: ["maxSurge"],
  });

export type Tariff = z.output<typeof tariffSchema>;
export type TariffInput = z.input<typeof tariffSchema>;
