import type { GatewayCapabilities } from "../../ports/payment-gateway.js";

/*
 * Why a case cannot apply to a gateway, read from what the gateway declares (`gateway.capabilities`), or null when
 * it applies. A declared capability is a promise the kit then holds the gateway to: a case that applies runs, and
 * a capability declared true that does not work fails it.
 */

/** Why the manual-capture cases cannot apply, or null when the gateway declares manual capture. */
export function manualCaptureMissing(capabilities: GatewayCapabilities): string | null {
  return capabilities.manualCapture ? null : "the gateway declares manualCapture: false";
}

export function partialCaptureMissing(capabilities: GatewayCapabilities): string | null {
  return manualCaptureMissing(capabilities) ?? (capabilities.partialCapture ? null : "the gateway declares partialCapture: false");
}

export function acceptsCurrency(capabilities: GatewayCapabilities, currency: string): boolean {
  const accepted = capabilities.currencies;
  return accepted === "any" || accepted.some((code) => code.toUpperCase() === currency);
}

export function currencyMissing(capabilities: GatewayCapabilities, currency: string): string | null {
  return acceptsCurrency(capabilities, currency)
    ? null
    : `the gateway does not accept ${currency} (capabilities.currencies: ${(capabilities.currencies as readonly string[]).join(" ")})`;
}

/** The smallest amount the gateway declares for `currency`, in minor units; 1 when it declares none. */
export function declaredMinimum(capabilities: GatewayCapabilities, currency: string): number {
  const entry = Object.entries(capabilities.minimumAmounts).find(([code]) => code.toUpperCase() === currency);
  return entry?.[1] ?? 1;
}
