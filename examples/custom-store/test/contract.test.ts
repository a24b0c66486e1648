import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeStoreContract } from "@org/payments-core/testing";
import { emptyStoreFile, openJsonFileStore } from "../src/index.js";
import { jsonFileReadBack } from "./json-file-read-back.js";

describeStoreContract("json-file", async () => {
  const folder = await mkdtemp(join(tmpdir(), "custom-store-"));
  const path = join(folder, "payments.json");
  const store = await openJsonFileStore({ path });
  return {
    store,
    // Between tests, straight to the file: the store keeps nothing in memory, so an empty file is an empty store.
    reset: () => writeFile(path, JSON.stringify(emptyStoreFile())),
    readBack: jsonFileReadBack(path),
    // No openSecondStore: the file has one writer (capabilities.concurrentWriters is false), so the kit's racers
    // share `store`. A store with concurrent writers would give one: the races would otherwise stay in one process.
    corruptStoredAmount: async (paymentId, amount) => {
      // JSON.stringify cannot write a number past 2^53 exactly; write the digits into the text instead.
      const data = JSON.parse(await readFile(path, "utf8")) as { payments: Array<{ id: string; amount: unknown }> };
      const payment = data.payments.find((p) => p.id === paymentId);
      if (!payment) throw new Error(`no payment ${paymentId} in the file`);
      payment.amount = "__corrupt__";
      await writeFile(path, JSON.stringify(data).replace('"__corrupt__"', amount));
    },
    // No migrations: the file says `format: 1` and there is no other format yet.
    dispose: async () => {
      await store.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
});
