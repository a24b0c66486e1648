/**
 * The fake's own copy of the Stripe currency rules it enforces, in Stripe's amount units (what arrives on the wire).
 * Kept apart from the adapter's table on purpose: a shared table would let an adapter bug agree with itself.
 */
export const FAKE_SUPPORTED_CURRENCIES: ReadonlySet<string> = new Set(
  (
    "usd aed aud bgn bhd bif brl cad chf clp cny czk djf dkk eur gbp gnf hkd huf idr ils inr isk jod jpy kmf krw " +
    "kwd mga mxn myr nok nzd omr php pln pyg ron rwf sek sgd thb tnd try twd ugx vnd vuv xaf xof xpf zar"
  ).split(" "),
);

/** Stripe's documented minimum charge per currency, in the currency's Stripe amount unit. */
export const FAKE_MINIMUM_AMOUNTS: Readonly<Record<string, number>> = {
  usd: 50, aed: 200, aud: 50, bgn: 100, brl: 50, cad: 50, chf: 50, czk: 1500, dkk: 250, eur: 50, gbp: 30,
  hkd: 400, huf: 17500, inr: 50, jpy: 50, mxn: 1000, myr: 200, nok: 300, nzd: 50, pln: 200, ron: 200, sek: 300,
  sgd: 50, thb: 1000,
};

/** Stripe accepts these with three decimals but only when the last digit is 0. */
export const FAKE_THREE_DECIMAL: ReadonlySet<string> = new Set(["bhd", "jod", "kwd", "omr", "tnd"]);

/**
 * Stripe's zero-decimal currencies (docs.stripe.com/currencies#zero-decimal): `amount` is whole units, so 1234 jpy
 * is ¥1234, never ¥12.34.
 */
export const FAKE_ZERO_DECIMAL: ReadonlySet<string> = new Set(
  "bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split(" "),
);

/**
 * Stripe's special cases: zero-decimal in use, but for backwards compatibility sent as a two-decimal value whose
 * decimals are 00 (500 isk is 5 ISK).
 */
export const FAKE_SENT_WITH_CENTS: ReadonlySet<string> = new Set(["isk", "ugx"]);

/**
 * A Stripe amount (wire units) as the decimal text Stripe shows for it in major units: "1234" for 1234 jpy, "1.230"
 * for 1230 kwd, "20.00" for 2000 usd. What a test compares with the amount it meant to charge.
 */
export function stripeAmountText(amount: number, currency: string): string {
  const code = currency.toLowerCase();
  const decimals = FAKE_THREE_DECIMAL.has(code) ? 3 : FAKE_ZERO_DECIMAL.has(code) && !FAKE_SENT_WITH_CENTS.has(code) ? 0 : 2;
  if (decimals === 0) return String(amount);
  const digits = String(amount).padStart(decimals + 1, "0");
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}
