import type { Payment } from "@org/payments-core";
import { samplePayment } from "@org/payments-core/testing";

/**
 * The core's contract fixtures pinned to a fixed instant, for the SQL adapters' own tests (what is specific to a
 * dialect; the port's rules are core's store contract). Ids still sort in creation order, like the ULIDs core makes.
 */

export const T0 = "2026-03-01T10:00:00.000Z";

export function makePayment(overrides: Partial<Payment> = {}): Payment {
  return samplePayment({ createdAt: T0, updatedAt: T0, ...overrides });
}
