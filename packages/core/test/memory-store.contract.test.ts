import { describeStoreContract } from "../src/testing/index.js";
import { memoryStoreHarness } from "./harnesses/memory-store-harness.js";

describeStoreContract("memory", async () => memoryStoreHarness());
