/**
 * `pnpm demo`: starts the host like a user would, then drives the flow a client would — dev token, fare quote,
 * create, confirm, a decline, 3-D Secure completed and resumed, a card saved and two fares charged off-session (one the
 * bank wants authenticated), an update by an admin, the cancellation fee, a partial refund by an admin, a dispute
 * the (simulated) bank opens and the merchant wins, told by signed provider webhooks, a lookup by
 * the provider's ids and a search, the receipt, the
 * list — then restarts the host and shows the payment is still there.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { formatMoney } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";
import { SignJWT } from "jose";
import { loadConfig } from "./config.js";

const config = loadConfig();
const step = (text: string) => console.log(`\n▶ ${text}`);
const show = (text: string) => console.log(`  ${text}`);

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port"))));
    });
  });
}

async function startHost(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    env: { ...process.env, PORT: String(port), LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => process.stdout.write(`  ${chunk.toString().replace(/\n(?=.)/g, "\n  ")}`));
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(`  ${chunk.toString().replace(/\n(?=.)/g, "\n  ")}`));
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`the host exited with code ${child.exitCode}`);
    try {
      const ready = await fetch(`http://127.0.0.1:${port}/payments-api/health/ready`);
      if (ready.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the host did not become ready");
}

async function stopHost(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

function devSecret(): string {
  return process.env.PAYMENTS_JWT_SECRET ?? readFileSync(resolve(".payments/dev-jwt-secret"), "utf8").trim();
}

async function mint(sub: string, role: "owner" | "admin" | "service" | boolean = "owner"): Promise<string> {
  const claims = role === true || role === "admin" ? { admin: true } : role === "service" ? { [config.serviceClaim ?? "payments_service"]: true } : {};
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime("15m")
    .sign(new TextEncoder().encode(devSecret()));
}

const port = await freePort();
const base = `http://127.0.0.1:${port}/payments-api`;
let host = await startHost(port);
const run = Date.now().toString(36);

/** A provider's webhook, as the provider sends it: its raw signed body to the host's webhook route, no token. */
async function postWebhook(delivery: { rawBody: string; headers: Record<string, string> }) {
  const response = await fetch(`${base}/webhooks/simulated`, { method: "POST", headers: delivery.headers, body: delivery.rawBody });
  return { status: response.status, body: (await response.json()) as { status: string } };
}

async function api(method: string, path: string, tokenValue: string, body?: unknown, key?: string) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${tokenValue}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(key ? { "idempotency-key": `${run}-${key}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: response.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text };
}

try {
  step("Mint development tokens (HS256 with the host's development secret)");
  const rider = await mint("rider_ada");
  const admin = await mint("ops_grace", true);
  const rides = await mint("svc_rides", "service");
  show("rider_ada (owner), ops_grace (admin) and svc_rides (the ride service's own token, with the service role)");

  step("Quote a fare with the host's 'city' tariff: 7.2 km, 18 min, surge 1.2");
  const quote = await api("POST", "/fares/quote", rider, { tariff: "city", distanceMeters: 7200, durationSeconds: 1080, surge: "1.2" });
  for (const line of quote.body.lines) show(`${line.description.padEnd(28)} ${formatMoney(line.amount, quote.body.currency)}`);
  show(`${"Total".padEnd(28)} ${formatMoney(quote.body.total, quote.body.currency)}`);

  step("Create a payment for the quote and confirm it with pm_card_visa");
  const created = await api("POST", "/payments", rider, { amount: quote.body.total, currency: "USD", lineItems: quote.body.lines, description: "Ride to the airport", references: { trip: `trip-${run}` } }, "create-1");
  show(`${created.status} ${created.body.id} ${created.body.status}`);
  const confirmed = await api("POST", `/payments/${created.body.id}/confirm`, rider, { paymentMethodId: "pm_card_visa" }, "confirm-1");
  show(`${confirmed.status} ${confirmed.body.status}, captured ${formatMoney(confirmed.body.amountCaptured, "USD")}, receipt ${confirmed.body.receiptNumber}`);
  const replay = await api("POST", `/payments/${created.body.id}/confirm`, rider, { paymentMethodId: "pm_card_visa" }, "confirm-1");
  show(`retry with the same Idempotency-Key → ${replay.status}, same payment, no second charge`);

  step("A declined card: pm_card_visa_chargeDeclined");
  const second = await api("POST", "/payments", rider, { amount: 1250, currency: "USD", description: "Second ride" }, "create-2");
  const declined = await api("POST", `/payments/${second.body.id}/confirm`, rider, { paymentMethodId: "pm_card_visa_chargeDeclined" }, "confirm-2");
  show(`${declined.status} ${declined.body.error.code} (${declined.body.error.declineCode}): ${declined.body.error.message}`);

  step("3-D Secure: pm_card_authenticationRequired, completed by the customer, resumed by a second confirm");
  const third = await api("POST", "/payments", rider, { amount: 3400, currency: "USD", description: "Night ride" }, "create-3");
  const challenged = await api("POST", `/payments/${third.body.id}/confirm`, rider, { paymentMethodId: "pm_card_authenticationRequired", returnUrl: "https://rides.example/return" }, "confirm-3");
  show(`${challenged.status} ${challenged.body.status}: customer must visit ${challenged.body.nextAction.url}`);
  createSimulatedGateway({ stateFile: config.simulatedStateFile }).completeAction(challenged.body.providerPaymentId);
  show("customer completed the challenge at the (simulated) bank");
  const resumed = await api("POST", `/payments/${third.body.id}/confirm`, rider, {}, "resume-3");
  show(`${resumed.status} ${resumed.body.status}`);

  step("A card on file: the rider saves cards once; the ride service charges two fares after the trips, off-session");
  const account = await api("POST", "/customers", rider, { email: "ada@example.com", name: "Ada" }, "customer");
  const card = await api("POST", `/customers/${account.body.id}/payment-methods`, rider, { paymentMethodId: "pm_card_visa" }, "save-card");
  show(`${card.status} ${card.body.id}: ${card.body.brand} •••• ${card.body.last4} (${card.body.expMonth}/${card.body.expYear}), ${card.body.status}, the default`);
  const strict = await api("POST", `/customers/${account.body.id}/payment-methods`, rider, { paymentMethodId: "pm_card_authenticationRequiredOffSession" }, "save-strict");
  show(`${strict.status} ${strict.body.id}: a second card, from a bank that wants off-session charges authenticated`);
  const own = await api("POST", "/payments", rider, { amount: 1250, currency: "USD", customerId: account.body.id, offSession: true }, "fare-own");
  show(`the rider's own token cannot charge off-session → ${own.status} ${own.body.error.code}`);
  const fare = async (amount: number, description: string, key: string, paymentMethodId?: string) => {
    const created = await api("POST", "/payments", rides, { owner: "rider_ada", amount, currency: "USD", description, customerId: account.body.id, offSession: true, paymentMethodId }, `${key}-create`);
    return api("POST", `/payments/${created.body.id}/confirm`, rides, {}, `${key}-confirm`);
  };
  const fareOne = await fare(1250, "Ride to the station", "fare-1");
  show(`${fareOne.status} ${fareOne.body.id} ${formatMoney(fareOne.body.amount, "USD")} ${fareOne.body.status}, charged to ${fareOne.body.paymentMethodId}`);
  const fareTwo = await fare(2875, "Ride home", "fare-2", strict.body.id);
  show(`${fareTwo.status} ${fareTwo.body.id} ${fareTwo.body.status}: ${fareTwo.body.lastError.code}; the ride service asks the rider to authenticate at ${fareTwo.body.nextAction.url}`);
  createSimulatedGateway({ stateFile: config.simulatedStateFile }).completeAction(fareTwo.body.providerPaymentId);
  const backOnline = await api("POST", `/payments/${fareTwo.body.id}/confirm`, rider, {}, "fare-2-resume");
  show(`the rider authenticated in the app and confirmed with their own token → ${backOnline.status} ${backOnline.body.status}`);
  const methods = await api("GET", `/customers/${account.body.id}/payment-methods`, rider);
  show(`${methods.status} saved: ${methods.body.data.map((m: { brand: string; last4: string; status: string }) => `${m.brand} •••• ${m.last4} ${m.status}`).join(", ")}`);

  step("An admin changes payments: a pending one's price and metadata, a paid one's description (not its amount)");
  const booked = await api("POST", "/payments", rider, { amount: 1800, currency: "USD", description: "Booked ride", metadata: { seat: "front", promo: "none" } }, "create-4");
  const repriced = await api("PATCH", `/payments/${booked.body.id}`, admin, { amount: 2100, metadata: { promo: null, stop: "hotel" } }, "update-4");
  show(`${repriced.status} ${formatMoney(booked.body.amount, "USD")} → ${formatMoney(repriced.body.amount, "USD")}, metadata ${JSON.stringify(repriced.body.metadata)}, version ${repriced.body.version}`);
  const described = await api("PATCH", `/payments/${created.body.id}`, admin, { description: "Ride to the airport (umbrella left in the car)" }, "update-1");
  show(`${described.status} paid ride's description is now "${described.body.description}"`);
  const locked = await api("PATCH", `/payments/${created.body.id}`, admin, { amount: 100 }, "update-2");
  show(`changing the paid ride's amount → ${locked.status} ${locked.body.error.code}`);

  step("The cancellation fee, had the booked ride been canceled");
  const fee = await api("POST", "/fares/cancellation-quote", rider, { tariff: "city" });
  show(`${fee.status} ${fee.body.lines.map((l: { description: string; amount: number }) => `${l.description} ${formatMoney(l.amount, "USD")}`).join(" + ")} = ${formatMoney(fee.body.total, "USD")}`);

  step("An admin refunds part of the first ride");
  const refund = await api("POST", `/payments/${created.body.id}/refunds`, admin, { amount: 300, reason: "detour" }, "refund-1");
  show(`${refund.status} refund ${refund.body.refund.id} ${formatMoney(refund.body.refund.amount, "USD")} ${refund.body.refund.status}; payment is ${refund.body.payment.status}`);
  const notAllowed = await api("POST", `/payments/${created.body.id}/refunds`, rider, { amount: 100, reason: "self-service" }, "refund-2");
  show(`the rider trying the same → ${notAllowed.status} ${notAllowed.body.error.code}`);

  step("A dispute: the rider's bank disputes the night ride, then the provider tells the host it is under review and won");
  // The bank signs with the host's own simulated-provider secret, so the host's webhook route accepts what it sends.
  const bank = createSimulatedGateway({
    stateFile: config.simulatedStateFile,
    webhookSecrets: process.env.PAYMENTS_SIMULATED_WEBHOOK_SECRET ? process.env.PAYMENTS_SIMULATED_WEBHOOK_SECRET.split(",") : undefined,
  });
  const providerDisputeId = bank.openDispute(resumed.body.providerPaymentId, { reason: "product_not_received" });
  const opened = await postWebhook(bank.disputeWebhookFor(providerDisputeId, "dispute.created"));
  show(`the bank opened ${providerDisputeId}; webhook dispute.created → ${opened.status} ${opened.body.status}`);
  const disputes = await api("GET", `/payments/${third.body.id}/disputes`, rider);
  for (const d of disputes.body.data) show(`${disputes.status} ${d.id} ${d.status} ${formatMoney(d.amount, d.currency)} (${d.reason}), evidence due ${d.evidenceDueBy}`);
  const flagged = await api("GET", `/payments/${third.body.id}`, rider);
  show(`the payment stays ${flagged.body.status}, flagged disputed: ${flagged.body.disputed}`);
  for (const [status, type] of [["under_review", "dispute.updated"], ["won", "dispute.closed"]] as const) {
    bank.moveDispute(providerDisputeId, status);
    const moved = await postWebhook(bank.disputeWebhookFor(providerDisputeId, type));
    const now = await api("GET", `/payments/${third.body.id}/disputes`, rider);
    show(`webhook ${type} → ${moved.status} ${moved.body.status}; the dispute is ${now.body.data.map((d: { status: string }) => d.status).join(", ")}`);
  }
  const won = await api("GET", "/disputes?status=won&limit=3", admin);
  show(`an admin's queue, GET /disputes?status=won → ${won.status}, ${won.body.data.length} on this page${won.body.nextCursor ? " (more behind the cursor)" : ""}:`);
  for (const d of won.body.data) show(`  ${d.id}  ${d.paymentId}  ${formatMoney(d.amount, d.currency)}  closed ${d.closedAt}${d.paymentId === third.body.id ? "  ← this one" : ""}`);
  const riderQueue = await api("GET", "/disputes", rider);
  show(`the rider asking for the queue → ${riderQueue.status} ${riderQueue.body.error?.code}`);

  step("Support is handed the provider's ids: each finds the payment, and a search narrows the list");
  const byPayment = await api("GET", `/payments/by-provider/${confirmed.body.provider}/${encodeURIComponent(confirmed.body.providerPaymentId)}`, admin);
  show(`${byPayment.status} ${confirmed.body.providerPaymentId} → ${byPayment.body.id}`);
  const byRefund = await api("GET", `/payments/by-provider/${created.body.provider}/${encodeURIComponent(refund.body.refund.providerRefundId)}`, admin);
  show(`${byRefund.status} refund ${refund.body.refund.providerRefundId} → ${byRefund.body.id}`);
  const search = await api("GET", `/payments?reference=trip:trip-${run}&currency=usd&amountMin=1000&disputed=false`, rider);
  show(`${search.status} trip-${run}, USD, at least ${formatMoney(1000, "USD")}, not disputed → ${search.body.data.map((p: { id: string }) => p.id).join(", ")}`);
  const typo = await api("GET", "/payments?custmerId=cus_1", rider);
  show(`a misspelt filter → ${typo.status} ${typo.body.error.code}, never the whole list`);

  step("The receipt");
  const receipt = await api("GET", `/payments/${created.body.id}/receipt?format=text`, rider);
  console.log(`  ${String(receipt.body).trimEnd().replace(/\n/g, "\n  ")}`);

  step("The rider's payments");
  const list = await api("GET", "/payments?limit=5", rider);
  for (const p of list.body.data) show(`${p.id}  ${p.status.padEnd(18)} ${formatMoney(p.amount, p.currency)}  ${p.description ?? ""}`);

  step("Restart the host: the payment is still there");
  await stopHost(host);
  host = await startHost(port);
  const after = await api("GET", `/payments/${created.body.id}`, rider);
  show(`${after.status} ${after.body.id} ${after.body.status}, refunded ${formatMoney(after.body.amountRefunded, "USD")}`);

  step("Where the data is");
  show(`database: ${config.databaseLabel}`);
  const db = config.databaseUrl.startsWith("postgres") ? config.databaseLabel : resolve(config.databaseUrl);
  show(`read it with the operators' CLI (from the repository root):`);
  show(`  pnpm payments-cli payments show ${created.body.id} --db ${db}`);
} finally {
  await stopHost(host);
}
