import { currencyExponent, toMajorUnitsString } from "../money/money.js";

/** Amounts, dates and rates of one receipt, written for a locale and a time zone with `Intl`. */
export interface ReceiptFormatter {
  money(amount: number, currency: string): string;
  dateTime(iso: string): string;
  date(iso: string): string;
  /** An exact decimal rate ("0.0875") as a percentage ("8.75%", "8,75 %"). */
  percent(rate: string): string;
}

/**
 * Amounts go to `Intl` as exact decimal strings built from the integer minor units (`toMajorUnitsString`), never
 * as floats, so 2^53 - 1 cents still prints every digit. The fraction digits are the currency's ISO 4217 exponent,
 * not Intl's own table (which, for one, gives IQD no decimals where ISO gives three).
 */
export function createReceiptFormatter(locale: string, timeZone: string): ReceiptFormatter {
  const moneyFormats = new Map<string, Intl.NumberFormat>();
  const moneyFormat = (currency: string): Intl.NumberFormat => {
    let format = moneyFormats.get(currency);
    if (!format) {
      const digits = currencyExponent(currency);
      format = new Intl.NumberFormat(locale, { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
      moneyFormats.set(currency, format);
    }
    return format;
  };
  const dateTimeFormat = new Intl.DateTimeFormat(locale, {
    timeZone,
    year: "numeric",
    month: "long",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZoneName: "short",
  });
  const dateFormat = new Intl.DateTimeFormat(locale, { timeZone, year: "numeric", month: "short", day: "numeric" });
  const percentFormat = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 20 });
  return {
    money: (amount, currency) => moneyFormat(currency).format(toMajorUnitsString(amount, currency) as Intl.StringNumericLiteral),
    dateTime: (iso) => dateTimeFormat.format(new Date(iso)),
    date: (iso) => dateFormat.format(new Date(iso)),
    percent: (rate) => percentFormat.format(rate as Intl.StringNumericLiteral),
  };
}
