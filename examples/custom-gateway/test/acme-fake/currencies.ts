/** The currencies Acme accepts: the decimals of each one's minor unit, and its smallest charge in minor units. */
export const ACME_CURRENCIES: Readonly<Record<string, { decimals: number; minimumCharge: number }>> = {
  USD: { decimals: 2, minimumCharge: 50 },
  JPY: { decimals: 0, minimumCharge: 50 },
  KWD: { decimals: 3, minimumCharge: 100 },
};

/** Minor units as Acme's dashboard writes them in major units: 1230 KWD fils is "1.230", 1234 yen is "1234". */
export function inMajorUnits(minor: number, currency: string): string {
  const decimals = ACME_CURRENCIES[currency]!.decimals;
  if (decimals === 0) return String(minor);
  const digits = String(minor).padStart(decimals + 1, "0");
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}
