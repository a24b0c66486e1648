import { inspect } from "node:util";
import { isPaymentError } from "@org/payments-core";
import { startStripeFake } from "@org/payments-test-support/stripe-fake";
import { describe, expect, it } from "vitest";
import { createStripeGateway } from "../src/index.js";

describe("the secret key stays secret", () => {
  it("is not reachable from the gateway object, and a refused key is reported without it", async () => {
    const fake = await startStripeFake({ apiKey: "sk_test_the_real_one" });
    try {
      const secretKey = "sk_test_wrong_and_secret_51HxYz";
      // A client built by the adapter itself from the key: nothing on the returned object may expose it.
      const gateway = createStripeGateway({ secretKey, webhookSecrets: "whsec_secret_value" });
      expect(JSON.stringify(gateway)).not.toContain(secretKey);
      expect(inspect(gateway, { depth: 10, showHidden: true })).not.toContain(secretKey);
      expect(inspect(gateway, { depth: 10, showHidden: true })).not.toContain("whsec_secret_value");

      const { default: Stripe } = await import("stripe");
      const client = new Stripe(secretKey, fake.clientConfig());
      const talking = createStripeGateway({ stripe: client });
      const error = await talking.retrieve("pi_x").catch((e: unknown) => e);
      expect(isPaymentError(error, "gateway_error")).toBe(true);
      expect(JSON.stringify(error)).not.toContain(secretKey);
      expect((error as Error).message).not.toContain(secretKey);
    } finally {
      await fake.close();
    }
  });
});
