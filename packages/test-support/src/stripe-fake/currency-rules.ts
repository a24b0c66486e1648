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
