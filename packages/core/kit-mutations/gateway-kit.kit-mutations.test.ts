import { GATEWAY_CONTRACT_TESTS, describeGatewayContract } from "../src/testing/index.js";
import { GATEWAY_MUTANTS } from "./gateway-mutants.js";
import { describeVerdicts, recordKit } from "./kit-verdict.js";
import { simulatedGatewayHarness } from "../test/harnesses/simulated-gateway-harness.js";

// The gateway kit once for the simulated gateway as it is, then once per mutant, then the verdicts.
const baseline = "gateway kit: simulated gateway";
recordKit(baseline, () => describeGatewayContract("simulated", async () => simulatedGatewayHarness({ answerTimeoutMs: 50 })));
const mutants = GATEWAY_MUTANTS.map((mutant) => {
  const label = `gateway kit: mutant ${mutant.id}`;
  recordKit(label, () => describeGatewayContract(`simulated, ${mutant.id}`, async () => simulatedGatewayHarness({ mutant, answerTimeoutMs: 50 })));
  return { label, subject: mutant };
});
describeVerdicts("gateway", GATEWAY_CONTRACT_TESTS, baseline, mutants);
