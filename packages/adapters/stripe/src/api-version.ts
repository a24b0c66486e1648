import type Stripe from "stripe";

/**
 * The Stripe API version every request is pinned to. stripe-node's types describe exactly one version (the one the
 * SDK was generated from); typing the constant as `LatestApiVersion` makes an SDK upgrade that moves the version
 * fail to compile here, so the pin and the types can never silently disagree.
 */
export const STRIPE_API_VERSION: Stripe.LatestApiVersion = "2026-10-28.endive";
