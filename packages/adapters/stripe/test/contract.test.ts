import { describeGatewayContract } from "@org/payments-core/testing";
import { stripeGatewayHarness } from "./support/stripe-harness.js";

// The core's conformance suite, run against the local Stripe fake through the real stripe-node SDK.
describeGatewayContract("stripe", stripeGatewayHarness);
