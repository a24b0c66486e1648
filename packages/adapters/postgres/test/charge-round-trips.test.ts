import { createHash } from "node:crypto";
import { createPaymentService } from "@org/payments-core";
import type { PaymentService } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";
import { createTestSchema, postgresAvailable } from "@org/payments-test-support/postgres";
import type { TestSchema } from "@org/payments-test-support/postgres";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStore, migrate } from "../src/index.js";
import type { PostgresPaymentStore } from "../src/index.js";

// Under CI=true an unreachable server throws here: a failure, never a skip.
const available = await postgresAvailable();

let n = 0;
async function charge(service: PaymentService) {
  n++;
  const { payment } = await service.createPayment({ owner: "user_rt", amount: 1999, currency: "USD" }, { scope: "user_rt", idempotencyKey: `create-${n}` });
  const confirmed = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, { scope: "user_rt", idempotencyKey: `confirm-${n}` });
  expect(confirmed.payment.status).toBe("succeeded");
  return confirmed;
}

/** The statements as sent, grouped by transaction (a statement outside one is a group of its own). */
function byTransaction(statements: readonly string[]): string[][] {
  const groups: string[][] = [];
  let open: string[] | null = null;
  for (const statement of statements) {
    if (/^start transaction|^begin/i.test(statement)) {
      open = [statement];
      groups.push(open);
    } else if (open !== null) {
      open.push(statement);
      if (/^(commit|rollback)/i.test(statement)) open = null;
    } else {
      groups.push([statement]);
    }
  }
  return groups;
}

describe.skipIf(!available)("the PostgreSQL charge path", () => {
  let schema: TestSchema;
  let store: PostgresPaymentStore;
  let service: PaymentService;
  let logging = false;
  const sent: string[] = [];

  beforeAll(async () => {
    schema = await createTestSchema("payments_round_trips");
    // One connection: the prepared statements it holds are the store's, and every statement below is one round trip.
    store = await createPostgresStore({
      connectionString: schema.url,
      max: 1,
      log: (event) => {
        if (logging) sent.push(event.query.sql);
      },
    });
    await migrate(store);
    service = createPaymentService({ store, gateways: [createSimulatedGateway()] });
    await charge(service);
  });

  afterAll(async () => {
    await store?.close();
    await schema?.drop();
  });

  it("reaches the server in 6 round trips: create 1, confirm 2, settle 2 with its receipt number, and the held-webhook look-up", async () => {
    sent.length = 0;
    logging = true;
    const settled = await charge(service);
    logging = false;
    const shapes = sent.map((text) => text.slice(0, 60)).join("\n");
    expect(sent, shapes).toHaveLength(6);
    // Create: one statement and no transaction around it. The key's claim (inserted as already answered), the
    // payment, its history row and event commit together, as one statement does.
    expect(sent[0]).toMatch(/^with "w0" as \(insert into "idempotency_records" /);
    expect(sent[0]).toMatch(/insert into "payments"/);
    expect(sent[0]).toMatch(/insert into "outbox"/);
    // Confirm: the payment read before any write (no BEGIN), then one statement with the claim, the guarded update,
    // history and event, which fails whole if the guarded update matches no row.
    expect(sent[1]).toMatch(/^select \* from "payments" where "id" = \$1$/);
    expect(sent[2]).toMatch(/^with "w0" as \(insert into "idempotency_records" .*update "payments" .*'lost guard w1' end\)::int/);
    // Settle: the read, then one statement and no transaction: the receipt number taken at commit and put in place,
    // the guarded payment update, history, event and the key's finish, failing whole if a guard is lost.
    expect(sent[3]).toMatch(/^select \* from "payments" where "id" = \$1$/);
    expect(sent[4]).toMatch(/^with "rc" as \(insert into "receipt_counters" .*"rr" as \(insert into "receipts" .*update "payments" .*update "idempotency_records" .*'lost guard w\d+' end\)::int/);
    expect(sent[5]).toMatch(/^select \* from "webhook_inbox"/);
    // The number, wherever the settle put it (the payment, the key's stored outcome, the answer), and no stand-in
    // in any row.
    const number = settled.payment.receiptNumber;
    expect(number).toMatch(/^R-\d{4}-\d{6}$/);
    const { rows } = await sql<{ payment: string | null; receipt: string; outcomes: string; standIns: string }>`
      select (select receipt_number from payments where id = ${settled.payment.id}) as payment,
             (select number from receipts where payment_id = ${settled.payment.id}) as receipt,
             (select count(*) from idempotency_records where outcome::text like ${`%${number}%`})::text as outcomes,
             ((select count(*) from payments p where p::text like '%unnumbered%') + (select count(*) from outbox o where o::text like '%unnumbered%')
               + (select count(*) from payment_history h where h::text like '%unnumbered%')
               + (select count(*) from idempotency_records i where i::text like '%unnumbered%'))::text as "standIns"`.execute(store.db);
    expect(rows[0]).toEqual({ payment: number, receipt: number, outcomes: "1", standIns: "0" });
  });

  it("a key that was not new costs one refused statement, then replays its answer; later replays claim it at once", async () => {
    const key = `create-replayed-${n}`;
    const create = () => service.createPayment({ owner: "user_rt", amount: 500, currency: "USD" }, { scope: "user_rt", idempotencyKey: key });
    const first = await create();
    sent.length = 0;
    logging = true;
    const replayed = await create();
    const firstReplay = [...sent];
    sent.length = 0;
    const again = await create();
    logging = false;
    expect(replayed.replayed).toBe(true);
    expect(replayed.payment).toEqual(first.payment);
    expect(again.payment).toEqual(first.payment);
    // The held claim fails its statement (nothing of it committed); the attempt again claims at once and reads back.
    expect(firstReplay[0]).toMatch(/^with "w0" as \(insert into "idempotency_records" /);
    expect(firstReplay.slice(1).some((text) => /^insert into "idempotency_records" .* on conflict/.test(text))).toBe(true);
    expect(sent[0]).toMatch(/^start transaction/);
    expect(sent[1]).toMatch(/^insert into "idempotency_records" .* on conflict/);
    const { rows } = await sql<{ count: string }>`select count(*) as count from payments where amount = 500`.execute(store.db);
    expect(Number(rows[0]!.count)).toBe(1);
  });

  it("prepares every statement of a charge but BEGIN, COMMIT and the look-up once per connection, and reuses them", async () => {
    const prepared = async () =>
      (await sql<{ name: string }>`select name from pg_prepared_statements where name like 'payments\\_%'`.execute(store.db)).rows.map((row) => row.name);
    sent.length = 0;
    logging = true;
    await charge(service);
    logging = false;
    const hot = new Set(sent.filter((text) => !/^(start transaction|commit|select \* from "webhook_inbox")/.test(text)));
    const expected = [...hot].map((text) => `payments_${createHash("sha256").update(text).digest("hex").slice(0, 24)}_0`);
    const before = await prepared();
    expect(before).toEqual(expect.arrayContaining(expected));
    const names = new Map([...hot].map((text) => [`payments_${createHash("sha256").update(text).digest("hex").slice(0, 24)}_0`, text]));
    await charge(service);
    await charge(service);
    const after = await prepared();
    const texts = async (wanted: string[]) =>
      (await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(store.db)).rows
        .filter((row) => wanted.includes(row.name))
        .map((row) => row.statement.slice(0, 160));
    expect(await texts(after.filter((name) => !before.includes(name)))).toEqual([]);
    expect(after.sort()).toEqual(before.sort());
  });

  it("on a host's pool prepares nothing unless asked, and set-up runs once per connection, not per checkout", async () => {
    const url = new URL(schema.url);
    url.searchParams.delete("schema");
    const hostPool = new pg.Pool({ connectionString: url.toString(), max: 1 });
    const setUps: string[] = [];
    // What the store sends on the pool's one connection to set it up (its search_path), seen at the driver.
    hostPool.on("connect", (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        if (typeof args[0] === "string" && args[0].startsWith("set search_path")) setUps.push(args[0]);
        return query(...args);
      };
    });
    const onHostPool = async (preparedStatements?: boolean) => {
      setUps.length = 0;
      const hosted = await createPostgresStore({
        pool: hostPool,
        schema: schema.schema,
        preparedStatements,
      });
      const hostedService = createPaymentService({ store: hosted, gateways: [createSimulatedGateway()] });
      await charge(hostedService);
      await charge(hostedService);
      const names = (await sql<{ name: string }>`select name from pg_prepared_statements where name like 'payments\\_%'`.execute(hosted.db)).rows;
      await hosted.close();
      return names.length;
    };
    try {
      // The store cannot know what else runs on a host's pool (DISCARD ALL, a pooler): off by default.
      expect(await onHostPool()).toBe(0);
      expect(setUps).toHaveLength(1);
      expect(await onHostPool(true)).toBeGreaterThan(0);
      expect(setUps).toHaveLength(1);
    } finally {
      await hostPool.end();
    }
  });

  it("keeps charging when a migration changes a table under its prepared statements (another instance migrating)", async () => {
    await charge(service);
    // `select * from payments` is prepared on the connection; its result type changes under it.
    await sql`alter table payments add column added_by_a_later_release text`.execute(store.db);
    try {
      await charge(service);
      await charge(service);
    } finally {
      await sql`alter table payments drop column added_by_a_later_release`.execute(store.db);
    }
    await charge(service);
  });
});
