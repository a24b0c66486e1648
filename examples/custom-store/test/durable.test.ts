import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sampleCustomer, sampleDispute, samplePayment, sampleSavedPaymentMethod } from "@org/payments-core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { emptyStoreFile, openJsonFileStore } from "../src/index.js";

/**
 * What the kit cannot see: it runs against one store for the whole suite, so nothing in it closes the store and
 * opens the file again. The store declares `durable: true`; this proves it.
 */
describe("json-file store: durable", () => {
  let folder: string;
  let path: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "custom-store-durable-"));
    path = join(folder, "payments.json");
  });
  afterEach(() => rm(folder, { recursive: true, force: true }));

  it("keeps what was committed across a close and a reopen, and nothing of a rolled-back transaction", async () => {
    const first = await openJsonFileStore({ path });
    expect(first.capabilities.durable).toBe(true);
    const kept = samplePayment();
    const dropped = samplePayment();
    const receipt = await first.transaction(async (tx) => {
      await tx.insertPayment(kept);
      return tx.allocateReceiptNumber(kept.id, "2026-03-04T05:06:07.000Z");
    });
    await expect(
      first.transaction(async (tx) => {
        await tx.insertPayment(dropped);
        throw new Error("the work failed");
      }),
    ).rejects.toThrow("the work failed");
    await first.close();

    const reopened = await openJsonFileStore({ path });
    expect(await reopened.getPayment(kept.id)).toEqual(kept);
    expect(await reopened.getPayment(dropped.id)).toBeNull();
    // The counter lives in the file too: the next number follows on, and the first payment keeps its own.
    const other = samplePayment();
    await reopened.transaction((tx) => tx.insertPayment(other));
    expect(await reopened.transaction((tx) => tx.allocateReceiptNumber(other.id, "2026-05-01T00:00:00.000Z"))).toBe("R-2026-000002");
    expect(await reopened.transaction((tx) => tx.allocateReceiptNumber(kept.id, "2026-05-01T00:00:00.000Z"))).toBe(receipt);
    await reopened.close();
  });

  it("leaves only the store file behind: every temporary file was renamed into place", async () => {
    const store = await openJsonFileStore({ path });
    await Promise.all(Array.from({ length: 10 }, () => store.transaction((tx) => tx.insertPayment(samplePayment()))));
    await store.close();
    expect(await readdir(folder)).toEqual(["payments.json"]);
  });

  it("opens a file written before disputes existed (no disputes array) as a store with none, and adds them to it", async () => {
    const { disputes: _none, ...older } = emptyStoreFile();
    await writeFile(path, JSON.stringify(older));
    const store = await openJsonFileStore({ path });
    expect(await store.listDisputes({}, { limit: 10 })).toEqual({ items: [], nextCursor: null });
    expect(await store.disputeStats({})).toEqual([]);
    const payment = samplePayment();
    const dispute = sampleDispute(payment);
    await store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.insertDispute(dispute);
    });
    expect(await store.listPaymentDisputes(payment.id)).toEqual([dispute]);
    await store.close();
  });

  it("opens a file written before customers existed (no customers or saved methods, payments without offSession) as a store with none, and adds them to it", async () => {
    const { customers: _none, savedPaymentMethods: _noMethods, ...older } = emptyStoreFile();
    // And its payments have no offSession: each was made with the customer present.
    const { offSession: _notYet, ...olderPayment } = samplePayment();
    await writeFile(path, JSON.stringify({ ...older, payments: [olderPayment] }));
    const store = await openJsonFileStore({ path });
    expect(await store.getPayment(olderPayment.id)).toEqual({ ...olderPayment, offSession: false });
    expect(await store.listCustomers({}, { limit: 10 })).toEqual({ items: [], nextCursor: null });
    expect(await store.listSavedPaymentMethods("cus_1")).toEqual([]);
    const customer = sampleCustomer();
    const method = sampleSavedPaymentMethod(customer);
    await store.transaction(async (tx) => {
      await tx.insertCustomer(customer);
      await tx.insertSavedPaymentMethod(method);
    });
    await store.close();
    const reopened = await openJsonFileStore({ path });
    expect(await reopened.listCustomers({}, { limit: 10 })).toEqual({ items: [customer], nextCursor: null });
    expect(await reopened.listSavedPaymentMethods(customer.id)).toEqual([method]);
    await reopened.close();
  });

  it("refuses a saved method of a customer it does not hold with not_found, as the SQL stores' foreign key does", async () => {
    const store = await openJsonFileStore({ path });
    const stranger = sampleCustomer();
    await expect(store.transaction((tx) => tx.insertSavedPaymentMethod(sampleSavedPaymentMethod(stranger)))).rejects.toMatchObject({ code: "not_found" });
    expect(await store.listSavedPaymentMethods(stranger.id)).toEqual([]);
    await store.close();
  });

  it("refuses every call once closed", async () => {
    const store = await openJsonFileStore({ path });
    await store.close();
    await expect(store.getPayment("pay_1")).rejects.toMatchObject({ code: "internal" });
    await expect(store.transaction(async () => 1)).rejects.toMatchObject({ code: "internal" });
  });
});
