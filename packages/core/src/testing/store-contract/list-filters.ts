import { expect } from "vitest";
import type { Payment, PaymentStatus } from "../../domain/payment.js";
import type { PaymentStore } from "../../ports/payment-store.js";
import { samplePayment } from "../fixtures.js";
import { hostileTexts } from "../hostile-text-generators.js";
import type { DefineCase, StoreUnderTest } from "./contract-case.js";
import { refusal } from "./refusal.js";
import { idsOf, insertPayment, insertPayments, listedIds, plusMs } from "./seed.js";

/**
 * Lists: what `PaymentQueries.listPayments` promises (ports/store/queries.ts). Each filter field has its own case,
 * seeded so that a store ignoring that one field (or getting its bound wrong) answers differently: the expiry sweep,
 * reconcile's windows and an owner's own list all trust these.
 */
export const LIST_CASES = {
  listFiltersAndCursor: "lists by filter and pages with a cursor without gaps or repeats",
  listNewestFirstPaging: "pages newest first (by id, not insertion order) in exact slices, the last page with no cursor",
  filterStatus: "the status filter alone narrows the list, given one status or a list of them (an empty list matches nothing)",
  filterProvider: "the provider filter alone narrows the list to exactly that provider",
  filterOwner: "the owner filter alone narrows the list to exactly that owner (case and prefix matter)",
  filterCreatedFrom: "createdFrom alone keeps payments created at or after the instant (inclusive)",
  filterCreatedTo: "createdTo alone keeps payments created strictly before the instant (exclusive)",
  updatedFromFilter: "lists payments with activity at or after an instant, whenever they were created",
  filterReference: "the reference filter alone keeps payments whose reference under that key has exactly that value",
  filterAuthorizationExpiresBefore: "authorizationExpiresBefore alone keeps authorizations expiring strictly before the instant, never one without an expiry",
  filterUpdatedTo: "updatedTo alone keeps payments last updated strictly before the instant (exclusive)",
  filterCustomerId: "the customerId filter alone keeps that customer's payments, exactly (case and prefix matter)",
  filterCustomerEmail: "the customerEmail filter alone keeps payments with exactly that email, as stored",
  filterMetadata: "the metadata filter alone keeps payments whose metadata under that key has exactly that value",
  filterCurrency: "the currency filter alone keeps payments in exactly that currency",
  filterAmountMin: "amountMin alone keeps payments of at least that many minor units (inclusive)",
  filterAmountMax: "amountMax alone keeps payments of at most that many minor units (inclusive)",
  filterDisputed: "the disputed filter alone keeps the disputed payments (true) or the others (false)",
  searchFiltersCombine: "the search filters combine with each other and the older ones, on every page",
  filterRefusesUnknownAndMalformed: "refuses an unknown filter key, a non-integer amount bound and a non-boolean disputed with validation_error",
  filtersCombine: "filters combine with AND, on every page of a list paged with a cursor",
  filterInstants: "refuses a filter instant that is not a date or an ISO 8601 time with validation_error",
  invalidCursor: "refuses a cursor it did not issue (garbage, truncated, edited, hostile, an old raw id) with invalid_cursor",
} as const;

const T = "2026-03-01T10:00:00.000Z";

export function defineListCases(define: DefineCase<keyof typeof LIST_CASES>, kit: StoreUnderTest): void {
  define("listFiltersAndCursor", async () => {
    const { store } = kit;
    const created: Payment[] = [];
    for (let i = 0; i < 25; i++) {
      created.push(
        await insertPayment(
          store,
          samplePayment({
            owner: i % 2 === 0 ? "alice" : "bob",
            status: i % 5 === 0 ? "succeeded" : "pending",
            provider: i % 3 === 0 ? "stripe" : "simulated",
            references: { booking: `bk_${i % 4}` },
            createdAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
          }),
        ),
      );
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listPayments({}, { limit: 10, cursor });
      seen.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(created.map((p) => p.id).reverse());
    const alice = await store.listPayments({ owner: "alice" }, { limit: 100 });
    expect(alice.items).toHaveLength(13);
    expect((await store.listPayments({ status: "succeeded" }, { limit: 100 })).items).toHaveLength(5);
    expect((await store.listPayments({ status: ["succeeded", "pending"] }, { limit: 100 })).items).toHaveLength(25);
    expect((await store.listPayments({ provider: "stripe" }, { limit: 100 })).items).toHaveLength(9);
    expect((await store.listPayments({ reference: { key: "booking", value: "bk_1" } }, { limit: 100 })).items).toHaveLength(6);
    const window = await store.listPayments({ createdFrom: "2026-01-05T00:00:00.000Z", createdTo: "2026-01-10T00:00:00.000Z" }, { limit: 100 });
    expect(window.items).toHaveLength(5);
    expect((await store.listPayments({ owner: "alice", status: "succeeded", provider: "stripe" }, { limit: 100 })).items.map((p) => p.id)).toEqual(
      created.filter((p, i) => i % 2 === 0 && i % 5 === 0 && i % 3 === 0).map((p) => p.id).reverse(),
    );
  });

  define("listNewestFirstPaging", async () => {
    const { store } = kit;
    // Made oldest first (ids sort by creation), stored in a shuffled order, with creation times that run the other
    // way: only the id decides the order of a list.
    const payments = Array.from({ length: 7 }, (_, i) => samplePayment({ createdAt: plusMs(T, -i * 60_000), updatedAt: T }));
    for (const index of [3, 0, 6, 1, 5, 2, 4]) await insertPayment(store, payments[index]!);
    const newestFirst = payments.map((p) => p.id).reverse();
    const first = await store.listPayments({}, { limit: 3 });
    expect(first.items.map((p) => p.id)).toEqual(newestFirst.slice(0, 3));
    expect(first.items[0]).toEqual(payments[6]);
    const second = await store.listPayments({}, { limit: 3, cursor: first.nextCursor! });
    expect(second.items.map((p) => p.id)).toEqual(newestFirst.slice(3, 6));
    const third = await store.listPayments({}, { limit: 3, cursor: second.nextCursor! });
    expect(third.items.map((p) => p.id)).toEqual(newestFirst.slice(6));
    expect(third.nextCursor).toBeNull();
    // A page that ends exactly at the last payment has no cursor either: there is nothing after it.
    const exact = await store.listPayments({}, { limit: 7 });
    expect(exact.items.map((p) => p.id)).toEqual(newestFirst);
    expect(exact.nextCursor).toBeNull();
    const sixThenOne = await store.listPayments({}, { limit: 6 });
    expect(sixThenOne.nextCursor).not.toBeNull();
    expect(await store.listPayments({}, { limit: 6, cursor: sixThenOne.nextCursor! })).toEqual({ items: [payments[0]], nextCursor: null });
    // A cursor pages after its position even when a newer payment arrived since: no repeats, nothing skipped.
    const late = await insertPayment(store, samplePayment());
    const afterLate = await store.listPayments({}, { limit: 3, cursor: first.nextCursor! });
    expect(afterLate.items.map((p) => p.id)).toEqual(newestFirst.slice(3, 6));
    expect((await store.listPayments({}, { limit: 1 })).items.map((p) => p.id)).toEqual([late.id]);
  });

  define("filterStatus", async () => {
    const { store } = kit;
    const statuses: PaymentStatus[] = ["pending", "authorized", "succeeded", "failed", "authorized", "partially_refunded"];
    const payments = statuses.map((status) => samplePayment({ status }));
    await insertPayments(store, payments);
    const [pending, authorized, succeeded, failed, authorizedToo, partiallyRefunded] = payments;
    expect(await listedIds(store, { status: "authorized" })).toEqual(idsOf(authorized!, authorizedToo!));
    expect(await listedIds(store, { status: ["succeeded", "failed"] })).toEqual(idsOf(succeeded!, failed!));
    expect(await listedIds(store, { status: ["partially_refunded"] })).toEqual(idsOf(partiallyRefunded!));
    expect(await listedIds(store, { status: "refunded" })).toEqual([]);
    expect(await listedIds(store, { status: [] })).toEqual([]);
    expect(await listedIds(store, {})).toEqual(idsOf(...payments));
    expect(await listedIds(store, { status: ["pending", "canceled"] })).toEqual(idsOf(pending!));
  });

  define("filterProvider", async () => {
    const { store } = kit;
    const payments = ["stripe", "paypal", "stripe", "stripe_connect", "simulated"].map((provider) => samplePayment({ provider }));
    await insertPayments(store, payments);
    const [stripe, paypal, stripeToo] = payments;
    expect(await listedIds(store, { provider: "stripe" })).toEqual(idsOf(stripe!, stripeToo!));
    expect(await listedIds(store, { provider: "paypal" })).toEqual(idsOf(paypal!));
    expect(await listedIds(store, { provider: "strip" })).toEqual([]);
    expect(await listedIds(store, { provider: "Stripe" })).toEqual([]);
  });

  define("filterOwner", async () => {
    const { store } = kit;
    const payments = ["alice", "bob", "alice", "Alice", "alice2", "alice "].map((owner) => samplePayment({ owner }));
    await insertPayments(store, payments);
    const [alice, bob, aliceToo, capital] = payments;
    expect(await listedIds(store, { owner: "alice" })).toEqual(idsOf(alice!, aliceToo!));
    expect(await listedIds(store, { owner: "bob" })).toEqual(idsOf(bob!));
    expect(await listedIds(store, { owner: "Alice" })).toEqual(idsOf(capital!));
    expect(await listedIds(store, { owner: "ali" })).toEqual([]);
  });

  /** Payments created 1 ms before T, at T, 1 ms after T and a day after T. */
  const aroundT = async (store: PaymentStore) => {
    const payments = [-1, 0, 1, 86_400_000].map((ms) => samplePayment({ createdAt: plusMs(T, ms), updatedAt: plusMs(T, ms) }));
    await insertPayments(store, payments);
    return payments as [Payment, Payment, Payment, Payment];
  };

  define("filterCreatedFrom", async () => {
    const { store } = kit;
    const [before, atT, after, dayAfter] = await aroundT(store);
    expect(await listedIds(store, { createdFrom: T })).toEqual(idsOf(atT, after, dayAfter));
    expect(await listedIds(store, { createdFrom: plusMs(T, 1) })).toEqual(idsOf(after, dayAfter));
    expect(await listedIds(store, { createdFrom: plusMs(T, -1) })).toEqual(idsOf(before, atT, after, dayAfter));
    expect(await listedIds(store, { createdFrom: plusMs(T, 86_400_001) })).toEqual([]);
  });

  define("filterCreatedTo", async () => {
    const { store } = kit;
    const [before, atT, after, dayAfter] = await aroundT(store);
    expect(await listedIds(store, { createdTo: T })).toEqual(idsOf(before));
    expect(await listedIds(store, { createdTo: plusMs(T, 1) })).toEqual(idsOf(before, atT));
    expect(await listedIds(store, { createdTo: plusMs(T, -1) })).toEqual([]);
    expect(await listedIds(store, { createdTo: plusMs(T, 86_400_001) })).toEqual(idsOf(before, atT, after, dayAfter));
    // A window is [from, to): the instant at both bounds belongs to the later window only.
    expect(await listedIds(store, { createdFrom: plusMs(T, -1), createdTo: plusMs(T, 1) })).toEqual(idsOf(before, atT));
    expect(await listedIds(store, { createdFrom: T, createdTo: T })).toEqual([]);
  });

  define("updatedFromFilter", async () => {
    const { store } = kit;
    // Created long ago, touched recently (a refund, a capture): inside the activity window.
    const old = samplePayment({ createdAt: "2025-01-01T00:00:00.000Z", updatedAt: "2026-03-01T12:00:00.000Z" });
    const oldUntouched = samplePayment({ createdAt: "2025-01-01T00:00:00.000Z", updatedAt: "2025-01-02T00:00:00.000Z" });
    const recent = samplePayment({ createdAt: "2026-03-01T11:00:00.000Z", updatedAt: "2026-03-01T11:00:00.000Z" });
    for (const p of [old, oldUntouched, recent]) await insertPayment(store, p);
    const ids = async (filter: Parameters<PaymentStore["listPayments"]>[0]) => (await store.listPayments(filter, { limit: 10 })).items.map((p) => p.id).sort();
    expect(await ids({ updatedFrom: "2026-03-01T11:00:00.000Z" })).toEqual([old.id, recent.id].sort());
    expect(await ids({ updatedFrom: "2026-03-01T12:00:00.000Z" })).toEqual([old.id]);
    expect(await ids({ updatedFrom: "2026-03-01T12:00:00.001Z" })).toEqual([]);
    expect(await ids({ updatedFrom: "2026-03-01T11:00:00.000Z", createdFrom: "2026-01-01T00:00:00.000Z" })).toEqual([recent.id]);
    // An update moves a payment into the window.
    const touched = { ...oldUntouched, status: "canceled" as const, updatedAt: "2026-03-02T00:00:00.000Z", version: 2 };
    expect(await store.transaction((tx) => tx.updatePayment(touched, 1))).not.toBeNull();
    expect(await ids({ updatedFrom: "2026-03-01T12:00:00.000Z" })).toEqual([old.id, oldUntouched.id].sort());
    // Pages through the window newest first without gaps, like every other filter.
    const first = await store.listPayments({ updatedFrom: "2026-01-01" }, { limit: 2 });
    const second = await store.listPayments({ updatedFrom: "2026-01-01" }, { limit: 2, cursor: first.nextCursor! });
    expect([...first.items, ...second.items].map((p) => p.id)).toEqual([recent.id, oldUntouched.id, old.id].sort().reverse());
    expect(second.nextCursor).toBeNull();
  });

  define("filterReference", async () => {
    const { store } = kit;
    const payments = ([
      { booking: "bk_1" },
      { booking: "bk_2" },
      { trip: "bk_1" },
      { booking: "bk_1", trip: "tr_9" },
      { booking: "bk_10" },
      { Booking: "bk_1" },
      {},
    ] as Record<string, string>[]).map((references) => samplePayment({ references }));
    await insertPayments(store, payments);
    const [one, two, tripOne, both] = payments;
    expect(await listedIds(store, { reference: { key: "booking", value: "bk_1" } })).toEqual(idsOf(one!, both!));
    expect(await listedIds(store, { reference: { key: "booking", value: "bk_2" } })).toEqual(idsOf(two!));
    expect(await listedIds(store, { reference: { key: "trip", value: "bk_1" } })).toEqual(idsOf(tripOne!));
    expect(await listedIds(store, { reference: { key: "booking", value: "bk" } })).toEqual([]);
    expect(await listedIds(store, { reference: { key: "order", value: "bk_1" } })).toEqual([]);
    // A payment's references can change: the filter follows the stored state, not the first one.
    const moved = { ...two!, references: { booking: "bk_1" }, version: 2 };
    expect(await store.transaction((tx) => tx.updatePayment(moved, 1))).not.toBeNull();
    expect(await listedIds(store, { reference: { key: "booking", value: "bk_1" } })).toEqual(idsOf(one!, two!, both!));
    expect(await listedIds(store, { reference: { key: "booking", value: "bk_2" } })).toEqual([]);
  });

  define("filterAuthorizationExpiresBefore", async () => {
    const { store } = kit;
    const authorization = (expiresAt: string | null) => samplePayment({ status: "authorized", captureMethod: "manual", authorizationExpiresAt: expiresAt });
    const expired = authorization(plusMs(T, -1));
    const atT = authorization(T);
    const fresh = authorization(plusMs(T, 1));
    // A payment with no expiry (an automatic capture, a pending one) is never in the sweep's window, however late.
    const noExpiry = authorization(null);
    const pendingNoExpiry = samplePayment();
    // Captured or canceled after authorizing, their expiry kept and long past: the filter alone matches them (it is
    // about the instant), the sweep's own query must not, or it would sweep payments that are no longer authorized.
    const capturedLapsed = samplePayment({ status: "succeeded", captureMethod: "manual", amountCaptured: 2500, authorizationExpiresAt: plusMs(T, -86_400_000) });
    const canceledLapsed = samplePayment({ status: "canceled", captureMethod: "manual", authorizationExpiresAt: plusMs(T, -1) });
    await insertPayments(store, [expired, atT, fresh, noExpiry, pendingNoExpiry, capturedLapsed, canceledLapsed]);
    expect(await listedIds(store, { authorizationExpiresBefore: T })).toEqual(idsOf(expired, capturedLapsed, canceledLapsed));
    expect(await listedIds(store, { authorizationExpiresBefore: plusMs(T, 1) })).toEqual(idsOf(expired, atT, capturedLapsed, canceledLapsed));
    expect(await listedIds(store, { authorizationExpiresBefore: plusMs(T, -86_400_000) })).toEqual([]);
    expect(await listedIds(store, { authorizationExpiresBefore: "2999-01-01T00:00:00.000Z" })).toEqual(idsOf(expired, atT, fresh, capturedLapsed, canceledLapsed));
    // The sweep's own query: authorized and expired, paged.
    expect(await listedIds(store, { status: "authorized", authorizationExpiresBefore: plusMs(T, 1) }, 1)).toEqual(idsOf(expired, atT));
  });

  define("filterUpdatedTo", async () => {
    const { store } = kit;
    const [before, atT, after, dayAfter] = await aroundT(store);
    expect(await listedIds(store, { updatedTo: T })).toEqual(idsOf(before));
    expect(await listedIds(store, { updatedTo: plusMs(T, 1) })).toEqual(idsOf(before, atT));
    expect(await listedIds(store, { updatedTo: plusMs(T, -1) })).toEqual([]);
    expect(await listedIds(store, { updatedTo: plusMs(T, 86_400_001) })).toEqual(idsOf(before, atT, after, dayAfter));
    expect(await listedIds(store, { updatedFrom: T, updatedTo: plusMs(T, 86_400_000) })).toEqual(idsOf(atT, after));
  });

  define("filterCustomerId", async () => {
    const { store } = kit;
    const payments = ["cus_1", "cus_2", "cus_1", "CUS_1", "cus_10", null].map((customerId) => samplePayment({ customerId }));
    await insertPayments(store, payments);
    const [one, two, oneToo, capital] = payments;
    expect(await listedIds(store, { customerId: "cus_1" })).toEqual(idsOf(one!, oneToo!));
    expect(await listedIds(store, { customerId: "cus_2" })).toEqual(idsOf(two!));
    expect(await listedIds(store, { customerId: "CUS_1" })).toEqual(idsOf(capital!));
    expect(await listedIds(store, { customerId: "cus_" })).toEqual([]);
  });

  define("filterCustomerEmail", async () => {
    const { store } = kit;
    const emails = ["ana@example.com", "bo@example.com", "ana@example.com", "Ana@example.com", "ana@example.co", null];
    const payments = emails.map((customerEmail) => samplePayment({ customerEmail }));
    await insertPayments(store, payments);
    const [ana, bo, anaToo, capital] = payments;
    expect(await listedIds(store, { customerEmail: "ana@example.com" })).toEqual(idsOf(ana!, anaToo!));
    expect(await listedIds(store, { customerEmail: "bo@example.com" })).toEqual(idsOf(bo!));
    expect(await listedIds(store, { customerEmail: "Ana@example.com" })).toEqual(idsOf(capital!));
    expect(await listedIds(store, { customerEmail: "example.com" })).toEqual([]);
  });

  define("filterMetadata", async () => {
    const { store } = kit;
    const payments = ([
      { channel: "app" },
      { channel: "web" },
      { source: "app" },
      { channel: "app", campaign: "spring" },
      { channel: "apps" },
      { Channel: "app" },
      // Keys a JSON path would misread: each matches only itself.
      { "$.channel": "app" },
      { 'a"b': "x" },
      {},
    ] as Record<string, string>[]).map((metadata) => samplePayment({ metadata }));
    await insertPayments(store, payments);
    const [app, web, sourceApp, both, , , pathLike, quoted] = payments;
    expect(await listedIds(store, { metadata: { key: "channel", value: "app" } })).toEqual(idsOf(app!, both!));
    expect(await listedIds(store, { metadata: { key: "channel", value: "web" } })).toEqual(idsOf(web!));
    expect(await listedIds(store, { metadata: { key: "source", value: "app" } })).toEqual(idsOf(sourceApp!));
    expect(await listedIds(store, { metadata: { key: "$.channel", value: "app" } })).toEqual(idsOf(pathLike!));
    expect(await listedIds(store, { metadata: { key: 'a"b', value: "x" } })).toEqual(idsOf(quoted!));
    expect(await listedIds(store, { metadata: { key: "channel", value: "ap" } })).toEqual([]);
    expect(await listedIds(store, { metadata: { key: "constructor", value: "app" } })).toEqual([]);
    // Metadata can change: the filter follows the stored state.
    const moved = { ...web!, metadata: { channel: "app" }, version: 2 };
    expect(await store.transaction((tx) => tx.updatePayment(moved, 1))).not.toBeNull();
    expect(await listedIds(store, { metadata: { key: "channel", value: "app" } })).toEqual(idsOf(app!, web!, both!));
  });

  define("filterCurrency", async () => {
    const { store } = kit;
    const payments = ["EUR", "USD", "EUR", "JPY"].map((currency) => samplePayment({ currency }));
    await insertPayments(store, payments);
    const [eur, usd, eurToo, jpy] = payments;
    expect(await listedIds(store, { currency: "EUR" })).toEqual(idsOf(eur!, eurToo!));
    expect(await listedIds(store, { currency: "USD" })).toEqual(idsOf(usd!));
    expect(await listedIds(store, { currency: "JPY" })).toEqual(idsOf(jpy!));
    expect(await listedIds(store, { currency: "GBP" })).toEqual([]);
  });

  /** Payments of 999, 1000, 1001 and 2^53 - 1 minor units. */
  const amounts = async (store: PaymentStore) => {
    const payments = [999, 1000, 1001, Number.MAX_SAFE_INTEGER].map((amount) => samplePayment({ amount }));
    await insertPayments(store, payments);
    return payments as [Payment, Payment, Payment, Payment];
  };

  define("filterAmountMin", async () => {
    const { store } = kit;
    const [below, at, above, largest] = await amounts(store);
    expect(await listedIds(store, { amountMin: 1000 })).toEqual(idsOf(at, above, largest));
    expect(await listedIds(store, { amountMin: 1001 })).toEqual(idsOf(above, largest));
    expect(await listedIds(store, { amountMin: 0 })).toEqual(idsOf(below, at, above, largest));
    expect(await listedIds(store, { amountMin: Number.MAX_SAFE_INTEGER })).toEqual(idsOf(largest));
  });

  define("filterAmountMax", async () => {
    const { store } = kit;
    const [below, at, above, largest] = await amounts(store);
    expect(await listedIds(store, { amountMax: 1000 })).toEqual(idsOf(below, at));
    expect(await listedIds(store, { amountMax: 999 })).toEqual(idsOf(below));
    expect(await listedIds(store, { amountMax: 998 })).toEqual([]);
    expect(await listedIds(store, { amountMax: Number.MAX_SAFE_INTEGER })).toEqual(idsOf(below, at, above, largest));
    expect(await listedIds(store, { amountMin: 1000, amountMax: 1000 })).toEqual(idsOf(at));
    expect(await listedIds(store, { amountMin: 1001, amountMax: 1000 })).toEqual([]);
  });

  define("filterDisputed", async () => {
    const { store } = kit;
    const payments = [true, false, true, false, false].map((disputed) => samplePayment({ status: "succeeded", amountCaptured: 2500, disputed }));
    await insertPayments(store, payments);
    const [disputed, clean, disputedToo, cleanToo, cleanThree] = payments;
    expect(await listedIds(store, { disputed: true })).toEqual(idsOf(disputed!, disputedToo!));
    expect(await listedIds(store, { disputed: false })).toEqual(idsOf(clean!, cleanToo!, cleanThree!));
    // A dispute opening moves the payment into the disputed list.
    expect(await store.transaction((tx) => tx.updatePayment({ ...clean!, disputed: true, version: 2 }, 1))).not.toBeNull();
    expect(await listedIds(store, { disputed: true })).toEqual(idsOf(disputed!, clean!, disputedToo!));
  });

  define("searchFiltersCombine", async () => {
    const { store } = kit;
    // Every combination of customer × currency × amount × disputed × channel, created a minute apart.
    const payments: Payment[] = [];
    let minute = 0;
    for (const customerId of ["cus_a", "cus_b"])
      for (const currency of ["EUR", "USD"])
        for (const amount of [500, 5000])
          for (const disputed of [false, true])
            for (const channel of ["app", "web"]) {
              const at = plusMs(T, minute++ * 60_000);
              payments.push(
                samplePayment({ customerId, customerEmail: `${customerId}@example.com`, currency, amount, disputed, metadata: { channel }, createdAt: at, updatedAt: at }),
              );
            }
    await insertPayments(store, payments);
    const where = (keep: (p: Payment) => boolean) => idsOf(...payments.filter(keep));
    const paged = (filter: Parameters<PaymentStore["listPayments"]>[0]) => listedIds(store, filter, 1);
    expect(await paged({ customerId: "cus_a", currency: "EUR" })).toEqual(where((p) => p.customerId === "cus_a" && p.currency === "EUR"));
    expect(await paged({ customerEmail: "cus_b@example.com", amountMin: 1000, disputed: true })).toEqual(
      where((p) => p.customerId === "cus_b" && p.amount >= 1000 && p.disputed),
    );
    expect(await paged({ currency: "USD", amountMax: 500, metadata: { key: "channel", value: "web" } })).toEqual(
      where((p) => p.currency === "USD" && p.amount <= 500 && p.metadata.channel === "web"),
    );
    expect(await paged({ disputed: false, updatedTo: plusMs(T, 10 * 60_000), owner: "user_1" })).toEqual(
      where((p) => !p.disputed && p.updatedAt < plusMs(T, 10 * 60_000)),
    );
    expect(await paged({ customerId: "cus_a", customerEmail: "cus_b@example.com" })).toEqual([]);
  });

  define("filterRefusesUnknownAndMalformed", async () => {
    const { store } = kit;
    await insertPayment(store, samplePayment());
    const refused = (filter: Record<string, unknown>) =>
      refusal(() => store.listPayments(filter as Parameters<PaymentStore["listPayments"]>[0], { limit: 10 }), JSON.stringify(filter), "");
    // A typo or a filter this store lacks must not answer every payment.
    for (const filter of [{ custmerId: "cus_1" }, { amount: 2500 }, { metadataKey: "channel" }, { __proto__x: 1 }, { owner: "user_1", unknown: "" }]) {
      expect(await refused(filter)).toBe("validation_error");
    }
    for (const amount of [1.5, Number.NaN, Number.POSITIVE_INFINITY, "2500", 2 ** 53, null]) {
      expect(await refused({ amountMin: amount })).toBe("validation_error");
      expect(await refused({ amountMax: amount })).toBe("validation_error");
    }
    for (const disputed of ["true", 1, null]) expect(await refused({ disputed })).toBe("validation_error");
    for (const metadata of [{ key: "channel" }, "channel=app", { key: 1, value: "app" }]) expect(await refused({ metadata })).toBe("validation_error");
    expect(await refused({ customerId: 42 })).toBe("validation_error");
    // A known key left undefined asks for nothing, as an absent one.
    expect((await store.listPayments({ customerId: undefined, disputed: undefined }, { limit: 10 })).items).toHaveLength(1);
  });

  define("filtersCombine", async () => {
    const { store } = kit;
    // Every combination of owner × status × provider × booking, created a minute apart.
    const payments: Payment[] = [];
    let minute = 0;
    for (const owner of ["alice", "bob"])
      for (const status of ["succeeded", "failed"] as const)
        for (const provider of ["stripe", "paypal"])
          for (const booking of ["bk_a", "bk_b"]) {
            const at = plusMs(T, minute++ * 60_000);
            payments.push(samplePayment({ owner, status, provider, references: { booking }, createdAt: at, updatedAt: at }));
          }
    await insertPayments(store, payments);
    const where = (keep: (p: Payment) => boolean) => idsOf(...payments.filter(keep));
    // Paged one at a time: a filter a later page forgets would let other payments in.
    const paged = (filter: Parameters<PaymentStore["listPayments"]>[0]) => listedIds(store, filter, 1);
    expect(await paged({ owner: "alice", status: "succeeded" })).toEqual(where((p) => p.owner === "alice" && p.status === "succeeded"));
    expect(await paged({ owner: "bob", provider: "paypal", reference: { key: "booking", value: "bk_a" } })).toEqual(
      where((p) => p.owner === "bob" && p.provider === "paypal" && p.references.booking === "bk_a"),
    );
    expect(await paged({ status: ["failed"], provider: "stripe", createdFrom: plusMs(T, 4 * 60_000), createdTo: plusMs(T, 12 * 60_000) })).toEqual(
      where((p) => p.status === "failed" && p.provider === "stripe" && p.createdAt >= plusMs(T, 4 * 60_000) && p.createdAt < plusMs(T, 12 * 60_000)),
    );
    expect(await paged({ owner: "alice", status: "succeeded", provider: "stripe", reference: { key: "booking", value: "bk_b" } })).toEqual(
      where((p) => p.owner === "alice" && p.status === "succeeded" && p.provider === "stripe" && p.references.booking === "bk_b"),
    );
    expect(await paged({ owner: "alice", createdFrom: plusMs(T, 8 * 60_000) })).toEqual([]);
  });

  define("filterInstants", async () => {
    const { store } = kit;
    await insertPayment(store, samplePayment());
    const bad = ["yesterday", "", "2026-02-30", "2026-13-01T00:00:00Z", "2026-01-01T25:00:00Z", "2026-01-01T00:00:00", "\u0000", "1e12"];
    for (const text of bad) {
      for (const field of ["createdFrom", "createdTo", "updatedFrom", "authorizationExpiresBefore"] as const) {
        expect(await refusal(() => store.listPayments({ [field]: text }, { limit: 10 }), text, "")).toBe("validation_error");
      }
      expect(await refusal(() => store.stats({ createdFrom: text }), text, "")).toBe("validation_error");
      expect(await refusal(() => store.stats({ createdTo: text }), text, "")).toBe("validation_error");
    }
    // Every accepted form means the same instant on every store: a date is UTC midnight, a zone is honoured.
    const at = samplePayment({ createdAt: "2026-03-01T10:00:00.000Z", updatedAt: "2026-03-01T10:00:00.000Z" });
    await insertPayment(store, at);
    const ids = async (filter: Parameters<PaymentStore["listPayments"]>[0]) => (await store.listPayments(filter, { limit: 10 })).items.map((p) => p.id);
    expect(await ids({ createdFrom: "2026-03-01", createdTo: "2026-03-02" })).toEqual([at.id]);
    expect(await ids({ createdFrom: "2026-03-01T11:00:00+01:00", createdTo: "2026-03-01T10:00:00.001Z" })).toEqual([at.id]);
    expect(await ids({ createdFrom: "2026-03-01T11:00:00.001+01:00", createdTo: "2026-03-02" })).toEqual([]);
    expect((await store.stats({ createdFrom: "2026-03-01", createdTo: "2026-03-02" })).map((r) => r.count)).toEqual([1]);
  });

  define("invalidCursor", async () => {
    const { store } = kit;
    const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64url");
    // Refused on an empty store too: the cursor is checked, not merely found to match nothing.
    expect(await refusal(() => store.listPayments({}, { limit: 10, cursor: "garbage" }), "garbage")).toBe("invalid_cursor");
    const created: Payment[] = [];
    for (let i = 0; i < 5; i++) created.push(await insertPayment(store, samplePayment()));
    const first = await store.listPayments({}, { limit: 2 });
    const cursor = first.nextCursor!;
    expect(cursor).toEqual(expect.any(String));
    expect((await store.listPayments({}, { limit: 2, cursor })).items.map((p) => p.id)).toEqual([created[2]!.id, created[1]!.id]);
    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === "A" ? "B" : "A") + text.slice(at + 1);
    const garbage = [
      "garbage",
      "",
      " ",
      "null",
      created[3]!.id,
      cursor.slice(0, -1),
      cursor.slice(0, -2),
      cursor.slice(0, Math.floor(cursor.length / 2)),
      `${cursor}A`,
      `${cursor}==`,
      ` ${cursor}`,
      // Edits of the framing (an edit inside the id is just another position, as good as any issued one).
      flip(cursor, 3),
      flip(cursor, cursor.length - 1),
      cursor.replace(/-/g, "+").replace(/_/g, "/"),
      b64("{}"),
      b64("[]"),
      b64("null"),
      b64(JSON.stringify(created[3]!.id)),
      b64(JSON.stringify({ after: created[3]!.id })),
      b64(JSON.stringify({ v: 2, after: created[3]!.id })),
      b64(JSON.stringify({ v: 1, after: 5 })),
      b64(JSON.stringify({ v: 1, after: "" })),
      b64(JSON.stringify({ v: 1, after: created[3]!.id, extra: true })),
      b64(JSON.stringify({ v: 1, after: "pay_\u0000" })),
      b64(JSON.stringify({ v: 1, after: "pay_\ud800" })),
      b64(` ${JSON.stringify({ v: 1, after: created[3]!.id })}`),
      Buffer.from([0xff, 0xfe, 0x7b, 0x7d]).toString("base64url"),
      "A".repeat(5000),
      ...hostileTexts(10),
      ...hostileTexts(10).map((text) => `${cursor}${text}`),
    ];
    for (const bad of garbage.filter((g) => g !== cursor)) {
      expect(await refusal(() => store.listPayments({}, { limit: 10, cursor: bad }), bad, bad.length > 40 ? "" : bad)).toBe("invalid_cursor");
      expect(await refusal(() => store.listPayments({ owner: "user_1" }, { limit: 10, cursor: bad }), bad, "")).toBe("invalid_cursor");
    }
  });
}
