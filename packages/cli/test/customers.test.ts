import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Customer, Payment, PaymentService, PaymentStore, SavedPaymentMethod } from "@org/payments-core";
import type { SimulatedGateway } from "@org/payments-core/simulated";
import { EXIT } from "../src/errors/exit-codes.js";
import { BACKENDS, type Backend, backendAvailable, createBackend } from "./support/backends.js";
import { parseJson } from "./support/run-cli.js";
import { hostKey, paidPayment } from "./support/seed.js";
import { snapshot } from "./support/snapshot.js";

/** A SetupIntent's client secret, planted on a method waiting for authentication: no command may print it. */
const CLIENT_SECRET = "seti_planted_secret_Zq81xK";

/** Writes a saved method straight through the store port, as a host on another provider would have stored it. */
async function plantMethod(store: PaymentStore, method: SavedPaymentMethod): Promise<void> {
  await store.transaction((tx) => tx.insertSavedPaymentMethod(method));
}

async function plantNextAction(store: PaymentStore, id: string, nextAction: SavedPaymentMethod["nextAction"]): Promise<void> {
  await store.transaction(async (tx) => {
    const current = await tx.getSavedPaymentMethod(id);
    if (!current) throw new Error(`no method ${id}`);
    if (!(await tx.updateSavedPaymentMethod({ ...current, nextAction, version: current.version + 1 }, current.version))) throw new Error("lost a race");
  });
}

/**
 * `customers list/show`, `methods list/detach` and the customer fields of `payments show`, on both SQL stores,
 * seeded through the core service with the simulated provider (customers, saved cards, an off-session charge).
 */
for (const name of BACKENDS) {
  const available = await backendAvailable(name);
  describe.skipIf(!available)(`payments-cli customers and saved methods on ${name}`, () => {
    let backend: Backend;
    let service: PaymentService;
    let store: PaymentStore;
    let gateway: SimulatedGateway;
    let rider: Customer;
    let gone: Customer;
    let other: Customer;
    let visa: SavedPaymentMethod;
    let waiting: SavedPaymentMethod;
    let spare: SavedPaymentMethod;
    let offSession: Payment;

    beforeAll(async () => {
      backend = await createBackend(name);
      expect((await backend.cli(["migrate"])).code).toBe(0);
      ({ service, store, gateway } = await backend.open());
      rider = (await service.createCustomer({ owner: "rider_42", email: "rider@example.com", name: "A. Rider", metadata: { tier: "gold" } }, hostKey("cus"))).value;
      visa = (await service.savePaymentMethod(rider.id, { paymentMethodId: "pm_card_visa" }, hostKey("save"))).paymentMethod;
      waiting = (await service.savePaymentMethod(rider.id, { paymentMethodId: "pm_card_authenticationRequired" }, hostKey("save"))).paymentMethod;
      spare = (await service.savePaymentMethod(rider.id, { paymentMethodId: "pm_card_visa" }, hostKey("save"))).paymentMethod;
      expect([visa.status, waiting.status, spare.status]).toEqual(["active", "requires_action", "active"]);
      await plantNextAction(store, waiting.id, { ...waiting.nextAction!, clientSecret: CLIENT_SECRET });
      gone = (await service.createCustomer({ owner: "rider_7", email: "gone@example.com" }, hostKey("cus"))).value;
      await service.deleteCustomer(gone.id, hostKey("delete"));
      other = (await service.createCustomer({ owner: "rider_42" }, hostKey("cus"))).value;
      rider = await service.getCustomer(rider.id);
      expect(rider.defaultPaymentMethodId).toBe(visa.id);
      const created = await service.createPayment({ owner: "rider_42", amount: 1800, currency: "EUR", customerId: rider.id, offSession: true }, hostKey("off"));
      offSession = (await service.confirmPayment(created.payment.id, {}, hostKey("confirm"))).payment;
      expect(offSession.status).toBe("succeeded");
    });
    afterAll(async () => {
      await backend?.dispose();
    });

    const listed = async (...flags: string[]): Promise<string[]> => {
      const result = await backend.cli(["customers", "list", "--json", ...flags]);
      expect(result.code, result.stderr).toBe(0);
      return parseJson<{ items: Customer[] }>(result).items.map((c) => c.id);
    };

    it("lists customers newest first, each filter narrowing the list, and pages with --limit and --cursor", async () => {
      expect(await listed()).toEqual([other.id, gone.id, rider.id]);
      expect(await listed("--owner", "rider_42")).toEqual([other.id, rider.id]);
      expect(await listed("--email", "rider@example.com")).toEqual([rider.id]);
      // Exactly as stored: no case folding.
      expect(await listed("--email", "RIDER@example.com")).toEqual([]);
      expect(await listed("--deleted")).toEqual([gone.id]);
      expect(await listed("--live")).toEqual([other.id, rider.id]);
      expect(await listed("--live", "--owner", "rider_7")).toEqual([]);

      const first = parseJson<{ items: Customer[]; nextCursor: string | null }>(await backend.cli(["customers", "list", "--json", "--limit", "2"]));
      expect(first.items.map((c) => c.id)).toEqual([other.id, gone.id]);
      expect(first.nextCursor).toEqual(expect.any(String));
      expect(await listed("--limit", "2", "--cursor", first.nextCursor!)).toEqual([rider.id]);
    });

    it("prints a table of id, owner, email, name, default method, created and deleted", async () => {
      const result = await backend.cli(["customers", "list"]);
      expect(result.code, result.stderr).toBe(0);
      const [header, , ...rows] = result.stdout.trimEnd().split("\n");
      expect(header!.split(/\s{2,}/)).toEqual(["ID", "OWNER", "EMAIL", "NAME", "DEFAULT METHOD", "CREATED", "DELETED"]);
      const stamp = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ";
      expect(rows[0]).toMatch(new RegExp(`^${other.id}\\s+rider_42\\s+-\\s+-\\s+-\\s+${stamp}\\s+-$`));
      expect(rows[1]).toMatch(new RegExp(`^${gone.id}\\s+rider_7\\s+gone@example\\.com\\s+-\\s+-\\s+${stamp}\\s+${stamp}$`));
      expect(rows[2]).toMatch(new RegExp(`^${rider.id}\\s+rider_42\\s+rider@example\\.com\\s+A\\. Rider\\s+${visa.id}\\s+${stamp}\\s+-$`));
      expect(rows[3]).toBe("3 shown");
    });

    it("exits 2 with a stable code for an unknown option or a malformed value, listing nothing", async () => {
      for (const [flags, code] of [
        [["--status", "live"], "usage"],
        [["--customer", rider.id], "usage"],
        [["--deleted", "--live"], "conflicting_options"],
        [["--limit", "0"], "invalid_number"],
        [["--limit", "501"], "invalid_number"],
        [["--limit", "ten"], "invalid_number"],
        [["--cursor", "not-a-cursor"], "invalid_cursor"],
        [["--owner", "rider\u0007_42"], "validation_error"],
        [["--email", "4242 4242 4242 4242"], "validation_error"],
      ] as const) {
        const result = await backend.cli(["customers", "list", ...flags]);
        expect(result.code, `${flags.join(" ")}: ${result.stderr}`).toBe(EXIT.usage);
        expect(result.stderr, flags.join(" ")).toMatch(new RegExp(`^error\\[${code}\\]`));
        expect(result.stdout, flags.join(" ")).toBe("");
      }
    });

    it("shows a customer with the provider's customer id and its saved methods, the default marked, no client secret", async () => {
      const json = await backend.cli(["customers", "show", "--json", rider.id]);
      expect(json.code, json.stderr).toBe(0);
      expect(json.stdout).not.toContain(CLIENT_SECRET);
      const body = parseJson<{ customer: Customer; paymentMethods: SavedPaymentMethod[] }>(json);
      expect(body.customer).toMatchObject({ id: rider.id, owner: "rider_42", providerCustomerIds: { simulated: expect.stringMatching(/^sim_cus_/) } });
      expect(body.paymentMethods.map((m) => [m.id, m.status])).toEqual([[visa.id, "active"], [waiting.id, "requires_action"], [spare.id, "active"]]);
      // The next action stays (where the customer must go), without the secret that would let anyone finish it.
      expect(body.paymentMethods[1]!.nextAction).toEqual({ type: "redirect", url: waiting.nextAction!.url });

      const human = await backend.cli(["customers", "show", rider.id]);
      expect(human.code, human.stderr).toBe(0);
      expect(human.stdout).not.toContain(CLIENT_SECRET);
      expect(human.stdout).toMatch(/^email\s+rider@example\.com$/m);
      expect(human.stdout).toMatch(/^metadata\s+tier=gold$/m);
      expect(human.stdout).toMatch(new RegExp(`^provider ids\\s+simulated ${body.customer.providerCustomerIds["simulated"]}$`, "m"));
      expect(human.stdout).toMatch(new RegExp(`^default method\\s+${visa.id}$`, "m"));
      expect(human.stdout).toMatch(/Saved payment methods\nMETHOD\s+STATUS\s+PROVIDER\s+PROVIDER ID\s+TYPE\s+BRAND\s+LAST 4\s+EXPIRES\s+DEFAULT\s+SAVED\n/);
      expect(human.stdout).toMatch(new RegExp(`^${visa.id}\\s+active\\s+simulated\\s+${visa.providerPaymentMethodId}\\s+card\\s+visa\\s+4242\\s+12/2030\\s+default\\s+\\d{4}-`, "m"));
      expect(human.stdout).toMatch(new RegExp(`^${waiting.id}\\s+requires_action\\s+simulated\\s+-\\s+card\\s+-\\s+-\\s+-\\s+\\d{4}-`, "m"));
      expect(human.stdout).toMatch(new RegExp(`^${spare.id}\\s+active\\s+simulated\\s+\\S+\\s+card\\s+visa\\s+4242\\s+12/2030\\s+\\d{4}-`, "m"));

      const deleted = await backend.cli(["customers", "show", gone.id]);
      expect(deleted.stdout).toMatch(/^deleted\s+\d{4}-/m);
      expect(deleted.stdout).toMatch(/Saved payment methods\nnone\n$/);
    });

    it("methods list --customer prints the same columns, and as JSON the items with the default named", async () => {
      const json = await backend.cli(["methods", "list", "--customer", rider.id, "--json"]);
      expect(json.code, json.stderr).toBe(0);
      expect(json.stdout).not.toContain(CLIENT_SECRET);
      const body = parseJson<{ customerId: string; defaultPaymentMethodId: string | null; items: SavedPaymentMethod[] }>(json);
      expect(body.customerId).toBe(rider.id);
      expect(body.defaultPaymentMethodId).toBe(visa.id);
      expect(body.items.map((m) => m.id)).toEqual([visa.id, waiting.id, spare.id]);
      const human = await backend.cli(["methods", "list", "--customer", rider.id]);
      expect(human.stdout).not.toContain(CLIENT_SECRET);
      expect(human.stdout).toMatch(/^METHOD\s+STATUS\s+PROVIDER\s+PROVIDER ID\s+TYPE\s+BRAND\s+LAST 4\s+EXPIRES\s+DEFAULT\s+SAVED\n/);
      expect(human.stdout).toMatch(new RegExp(`^${visa.id}\\s+active\\s+.*\\s+default\\s+\\d{4}-`, "m"));
      expect(human.stdout).toMatch(/\n3 shown\n$/);
      const none = await backend.cli(["methods", "list", "--customer", other.id]);
      expect(none.stdout).toMatch(/^METHOD.*\n[- ]+\n0 shown\n$/);
    });

    it("answers not found (exit 7) for a customer or a method no one has, pointing at the right list", async () => {
      for (const [args, what, fix] of [
        [["customers", "show", "cus_nobody"], "customer cus_nobody", "customers list"],
        [["methods", "list", "--customer", "cus_nobody"], "customer cus_nobody", "customers list"],
        [["methods", "detach", "spm_nobody", "--yes"], "payment method spm_nobody", "methods list"],
      ] as const) {
        const result = await backend.cli(args);
        expect(result.code, args.join(" ")).toBe(EXIT.notFound);
        expect(result.stderr, args.join(" ")).toMatch(new RegExp(`^error\\[not_found\\]: ${what} not found\\n  fix: check the id with \`payments-cli ${fix}`));
        expect(result.stdout).toBe("");
      }
    });

    it("methods: a missing --customer, an unknown option or a hostile id is exit 2 and reads nothing", async () => {
      for (const [args, code] of [
        [["methods", "list"], "usage"],
        [["methods", "list", "--customer", rider.id, "--status", "active"], "usage"],
        [["methods", "detach", spare.id, "--force"], "usage"],
        [["methods", "detach", "spm_\u001b[31m"], "validation_error"],
        [["customers", "show", "4111 1111 1111 1111"], "validation_error"],
      ] as const) {
        const result = await backend.cli(args);
        expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(EXIT.usage);
        expect(result.stderr, args.join(" ")).toMatch(new RegExp(`^error\\[${code}\\]`));
        expect(result.stdout).toBe("");
      }
    });

    it("methods detach asks first: no answer changes nothing, here or at the provider", async () => {
      const before = await snapshot(store, backend.stateFile);
      const declined = await backend.cli(["methods", "detach", spare.id], "n\n");
      expect(declined.code, declined.stderr).toBe(EXIT.aborted);
      expect(declined.stderr).toContain(`Detach payment method ${spare.id} (visa 4242, expires 12/2030) of customer ${rider.id} (owner rider_42)`);
      expect(declined.stderr).toMatch(new RegExp(`key\\s+cli-detach:${spare.id} \\(operator:ana\\)`));
      expect(declined.stderr).toMatch(/error\[aborted\]: not confirmed: nothing was detached/);
      const closed = await backend.cli(["methods", "detach", spare.id]);
      expect(closed.code).toBe(EXIT.aborted);
      expect(await snapshot(store, backend.stateFile)).toBe(before);
    });

    it("methods detach detaches here and at the provider under the operator's key; a re-run replays", async () => {
      const result = await backend.cli(["methods", "detach", visa.id], "y\n");
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/default\s+yes: the customer will have no default method/);
      expect(result.stdout).toBe(
        `detached ${visa.id} (visa 4242, expires 12/2030) of customer ${rider.id}; removed at simulated (${visa.providerPaymentMethodId})\n` +
          `it was the default: ${rider.id} has no default method now\n`,
      );
      expect((await service.getSavedPaymentMethod(visa.id)).status).toBe("detached");
      expect((await service.getCustomer(rider.id)).defaultPaymentMethodId).toBeNull();
      expect(gateway.listSavedMethods().find((m) => m.id === visa.providerPaymentMethodId)?.detached).toBe(true);
      const record = await store.transaction((tx) => tx.getIdempotencyRecord("operator:ana", `cli-detach:${visa.id}`));
      expect(record).toMatchObject({ operation: "payment_method.detach", recoveryPoint: "finished" });

      const before = await snapshot(store, backend.stateFile);
      const again = await backend.cli(["methods", "detach", visa.id, "--json"]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain(`this detach was already made under key cli-detach:${visa.id}: replaying its result`);
      expect(parseJson(again)).toMatchObject({ replayed: true, alreadyDetached: false, idempotencyKey: `cli-detach:${visa.id}`, paymentMethod: { id: visa.id, status: "detached" } });
      expect(await snapshot(store, backend.stateFile)).toBe(before);

      // Detached under another key (by the host, say): said so, nothing asked and nothing written.
      const elsewhere = await backend.cli(["methods", "detach", visa.id, "--idempotency-key", "another-key"]);
      expect(elsewhere.code, elsewhere.stderr).toBe(0);
      expect(elsewhere.stdout).toMatch(new RegExp(`^payment method ${visa.id} \\(visa 4242, expires 12/2030\\) of customer ${rider.id} was already detached \\(\\d{4}-.*\\); nothing was done\\n$`));
      expect(await snapshot(store, backend.stateFile)).toBe(before);
    });

    it("methods detach --yes --json of a method the provider never saved; a key reused for another method is refused", async () => {
      const result = await backend.cli(["methods", "detach", waiting.id, "--yes", "--json", "--idempotency-key", "ops-1"]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toContain(CLIENT_SECRET);
      expect(parseJson(result)).toMatchObject({ replayed: false, wasDefault: false, idempotencyKey: "ops-1", paymentMethod: { id: waiting.id, status: "detached", nextAction: null } });
      const human = await backend.cli(["methods", "detach", waiting.id, "--idempotency-key", "ops-1"]);
      expect(human.stdout).toMatch(/nothing to remove at simulated \(it never saved it\)\nreplayed: /);

      const before = await snapshot(store, backend.stateFile);
      const reused = await backend.cli(["methods", "detach", spare.id, "--yes", "--idempotency-key", "ops-1"]);
      expect(reused.code, reused.stderr).toBe(EXIT.refused);
      expect(reused.stderr).toMatch(/^error\[idempotency_key_reused\]: key ops-1 was already used for a different request; nothing was done/);
      // Refused before the summary: the operator is not shown a detach that will not run.
      expect(reused.stderr).not.toContain("Detach payment method");
      expect(await snapshot(store, backend.stateFile)).toBe(before);
      expect((await service.getSavedPaymentMethod(spare.id)).status).toBe("active");
    });

    it("methods detach needs the method's provider configured, and says so before asking", async () => {
      const now = new Date().toISOString();
      const stripeMethod: SavedPaymentMethod = {
        ...spare,
        id: `spm_stripe_${name}`,
        provider: "stripe",
        providerPaymentMethodId: "pm_1QxStripeCard",
        providerSetupId: "seti_1QxStripe",
        createdAt: now,
        updatedAt: now,
        version: 1,
      };
      await plantMethod(store, stripeMethod);
      const before = await snapshot(store, backend.stateFile);
      const result = await backend.cli(["methods", "detach", stripeMethod.id], "y\n");
      expect(result.code, result.stderr).toBe(EXIT.usage);
      expect(result.stderr).toMatch(/^error\[validation_error\]: provider "stripe" is not configured/);
      expect(result.stderr).not.toContain("Detach it?");
      expect(await snapshot(store, backend.stateFile)).toBe(before);
    });

    it("payments show names the payment's customer and whether it was charged off session", async () => {
      const human = await backend.cli(["payments", "show", offSession.id]);
      expect(human.code, human.stderr).toBe(0);
      expect(human.stdout).toMatch(new RegExp(`^customer\\s+${rider.id}\\noff session\\s+yes$`, "m"));
      expect(parseJson(await backend.cli(["payments", "show", "--json", offSession.id])).payment).toMatchObject({ customerId: rider.id, offSession: true });
      const plain = await backend.cli(["payments", "show", (await paidPayment(service, 300)).id]);
      expect(plain.stdout).toMatch(/^customer\s+-\noff session\s+no$/m);
    });

    it("payments show --json never prints a waiting payment's client secret", async () => {
      const { payment } = await service.createPayment({ owner: "rider_42", amount: 600, currency: "EUR" }, hostKey("challenge"));
      const waitingPayment = (await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_authenticationRequired" }, hostKey("challenge-confirm"))).payment;
      expect(waitingPayment.nextAction?.clientSecret).toEqual(expect.any(String));
      const shown = await backend.cli(["payments", "show", "--json", payment.id]);
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).not.toContain(waitingPayment.nextAction!.clientSecret!);
      expect(parseJson(shown).payment.nextAction).toMatchObject({ type: "redirect", url: waitingPayment.nextAction!.url });
    });
  });
}
