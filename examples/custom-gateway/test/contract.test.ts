import { describeGatewayContract } from "@org/payments-core/testing";
import { acmeGatewayHarness } from "./acme-harness.js";

// The core's conformance kit, against the local Acme fake over real HTTP. Nothing is skipped: Acme can do it all.
describeGatewayContract("acme", acmeGatewayHarness);
