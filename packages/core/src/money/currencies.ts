/**
 * ISO 4217 minor-unit exponents for the active currency codes (list current as of 2026; funds codes included).
 * Core knows only ISO; each gateway adapter owns its provider's exceptions (e.g. Stripe treating HUF as
 * zero-decimal for payouts, PayPal without decimals for TWD).
 */
const ZERO_DECIMAL = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF";
const THREE_DECIMAL = "BHD IQD JOD KWD LYD OMR TND";
const FOUR_DECIMAL = "CLF UYW";
const TWO_DECIMAL =
  "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF " +
  "CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL " +
  "HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU " +
  "MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR " +
  "SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED " +
  "VES WST XCD XCG YER ZAR ZMW ZWG";

function table(): ReadonlyMap<string, number> {
  const entries: Array<[string, number]> = [];
  for (const [codes, exponent] of [
    [ZERO_DECIMAL, 0],
    [TWO_DECIMAL, 2],
    [THREE_DECIMAL, 3],
    [FOUR_DECIMAL, 4],
  ] as const) {
    for (const code of codes.split(" ")) entries.push([code, exponent]);
  }
  return new Map(entries);
}

export const CURRENCY_EXPONENTS: ReadonlyMap<string, number> = table();
