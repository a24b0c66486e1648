/** The currencies Acme accepts, each with its smallest charge in minor units (USD cents, JPY yen, KWD fils). */
export const ACME_MINIMUM_CHARGE: Readonly<Record<string, number>> = { USD: 50, JPY: 50, KWD: 100 };
