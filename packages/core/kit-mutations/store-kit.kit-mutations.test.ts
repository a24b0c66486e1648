import { STORE_CONTRACT_TESTS, describeStoreContract } from "../src/testing/index.js";
import { describeVerdicts, recordKit } from "./kit-verdict.js";
import { memoryStoreHarness } from "../test/harnesses/memory-store-harness.js";
import { STORE_MUTANTS } from "./store-mutants.js";

// The store kit once for the memory store as it is, then once per mutant, then the verdicts that read how each ran.
const baseline = "store kit: memory store";
recordKit(baseline, () => describeStoreContract("memory", async () => memoryStoreHarness()));
const mutants = STORE_MUTANTS.map((mutant) => {
  const label = `store kit: mutant ${mutant.id}`;
  recordKit(label, () => describeStoreContract(`memory, ${mutant.id}`, async () => memoryStoreHarness(mutant)));
  return { label, subject: mutant };
});
describeVerdicts("store", STORE_CONTRACT_TESTS, baseline, mutants);
