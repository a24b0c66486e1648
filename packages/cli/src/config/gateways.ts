import type { PaymentGateway } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";
import { loadOptionalPackage } from "./optional-package.js";

export interface GatewaySetup {
  gateways: PaymentGateway[];
  defaultProvider: string | undefined;
}

/**
 * Every provider whose credentials are in the environment, the simulated one always (DESIGN "Decisions"). The
 * vendor adapters are optional peer dependencies, imported only when configured, so a CLI that only talks to SQLite
 * starts fast and needs no vendor SDK installed. Keys are handed to the adapters and never printed.
 */
export async function createGateways(env: NodeJS.ProcessEnv, simulatedState: string): Promise<GatewaySetup> {
  const webhookSecret = env.PAYMENTS_SIMULATED_WEBHOOK_SECRET;
  const gateways: PaymentGateway[] = [
    createSimulatedGateway({ stateFile: simulatedState, webhookSecrets: webhookSecret ? webhookSecret.split(",") : undefined }),
  ];
  if (env.STRIPE_SECRET_KEY) {
    const { createStripeGateway } = await loadOptionalPackage(
      "@org/payments-stripe",
      "the Stripe provider (STRIPE_SECRET_KEY is set)",
      () => import("@org/payments-stripe"),
    );
    gateways.push(createStripeGateway({ secretKey: env.STRIPE_SECRET_KEY, webhookSecrets: env.STRIPE_WEBHOOK_SECRET }));
  }
  if (env.PAYPAL_CLIENT_ID && env.PAYPAL_CLIENT_SECRET) {
    const { createPayPalGateway } = await loadOptionalPackage(
      "@org/payments-paypal",
      "the PayPal provider (PAYPAL_CLIENT_ID is set)",
      () => import("@org/payments-paypal"),
    );
    gateways.push(
      createPayPalGateway({
        clientId: env.PAYPAL_CLIENT_ID,
        clientSecret: env.PAYPAL_CLIENT_SECRET,
        environment: env.PAYPAL_ENVIRONMENT === "production" ? "production" : "sandbox",
        // The CLI never receives webhooks; the id only matters to hosts that verify them.
        webhookId: env.PAYPAL_WEBHOOK_ID ?? "",
        verification: "api",
      }),
    );
  }
  const requested = env.PAYMENTS_PROVIDER || undefined;
  return { gateways, defaultProvider: requested && gateways.some((g) => g.provider === requested) ? requested : undefined };
}
