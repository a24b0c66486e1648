import { describeGatewayContract } from "../src/testing/index.js";
import { simulatedGatewayHarness } from "./harnesses/simulated-gateway-harness.js";

describeGatewayContract("simulated", async () => simulatedGatewayHarness());
