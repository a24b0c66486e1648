import { PaymentError } from "../errors/index.js";
import type { Tariff, TariffInput } from "./tariff.js";

/** Tariffs a host configures by name (`PaymentServiceOptions.tariffs`, the router's `tariffs`). */
export type NamedTariffs = Readonly<Record<string, Tariff | TariffInput>>;

/**
 * The tariff named `name`, or `not_found` listing the names there are. Own names only: "constructor" or "__proto__"
 * must be "no such tariff", not an inherited object. The name is not repeated: a caller may have put anything there.
 */
export function lookUpTariff(tariffs: NamedTariffs, name: string): Tariff | TariffInput {
  const named = Object.hasOwn(tariffs, name) ? tariffs[name] : undefined;
  if (!named) throw new PaymentError("not_found", "no tariff has this name", { details: { tariffs: Object.keys(tariffs) } });
  return named;
}
