import { randomUUID } from "node:crypto";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type AcmeAnswer, refusal } from "./answer.js";
import { inMajorUnits } from "./currencies.js";
import { type AcmeFault, FaultSwitches } from "./faults.js";
import { IdempotencyKeys } from "./idempotency.js";
import { Ledger } from "./ledger.js";
import { signAcmeDelivery } from "./webhook-signing.js";

export interface AcmeFake {
  /** Base URL of the API, `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly apiKey: string;
  /** The endpoint secret Acme signs webhooks with. */
  readonly webhookSecret: string;
  injectFault(fault: AcmeFault): void;
  /** The raw body of the `charge.<status>` event Acme would send now for this charge. */
  chargeEvent(chargeId: string): string;
  /** The raw body of the `refund.<status>` event Acme would send now for this refund. */
  refundEvent(refundId: string): string;
  /**
   * What Acme's dashboard shows for a charge, in major units as Acme writes them ("1.230" KWD): read from the fake's
   * books, never through the API, so a test can tell the adapter's reading from what was really charged.
   */
  dashboard(chargeId: string): { currency: string; amount: string; refunded: string };
  /** The `Acme-Signature` value for `rawBody`, with the endpoint secret unless another is given. */
  sign(rawBody: string, options?: { secret?: string; sentAt?: Date }): string;
  reset(): void;
  close(): Promise<void>;
}

const MAX_PAGE = 100;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function parseJson(raw: string): Record<string, unknown> | null {
  if (raw === "") return {};
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Starts Acme Pay's fake on an ephemeral port of 127.0.0.1 (API.md describes what it answers). */
export async function startAcmeFake(options: { apiKey?: string; webhookSecret?: string; maxPageSize?: number } = {}): Promise<AcmeFake> {
  // A test lowers the page size to see several pages without creating a hundred charges.
  const maxPage = options.maxPageSize ?? MAX_PAGE;
  const apiKey = options.apiKey ?? "sk_test_acme_fake";
  const webhookSecret = options.webhookSecret ?? "whsec_acme_fake";
  const faults = new FaultSwitches();
  const keys = new IdempotencyKeys();
  let url = "";
  const ledger = new Ledger(faults, () => url);
  const slowAnswers = new Set<NodeJS.Timeout>();
  let requestCount = 0;

  function route(method: string, path: string, query: URLSearchParams, body: Record<string, unknown>): AcmeAnswer {
    const [, v1, resource, id, action, extra] = path.split("/");
    if (v1 !== "v1" || resource !== "charges" || extra !== undefined) return refusal(404, "not_found", "No such endpoint.");
    if (method === "POST" && id === undefined) return ledger.createCharge(body);
    if (method === "POST" && id !== undefined && action === "confirm") return ledger.confirm(id);
    if (method === "POST" && id !== undefined && action === "capture") return ledger.capture(id, body);
    if (method === "POST" && id !== undefined && action === "cancel") return ledger.cancel(id);
    if (method === "POST" && id !== undefined && action === "refunds") return ledger.refund(id, body);
    if (method === "GET" && id !== undefined && action === undefined) return ledger.retrieve(id);
    if (method === "GET" && id === undefined) {
      const reference = query.get("reference");
      if (reference !== null) return ledger.search(reference);
      const limit = Math.min(Math.max(Number(query.get("limit") ?? maxPage) || maxPage, 1), maxPage);
      return ledger.list(new Date(query.get("created_from") ?? ""), new Date(query.get("created_to") ?? ""), limit, query.get("starting_after"));
    }
    return refusal(404, "not_found", "No such endpoint.");
  }

  function send(response: ServerResponse, answer: AcmeAnswer, headers: Record<string, string>): void {
    if (response.destroyed) return; // the client gave up waiting (its timeout): nobody is listening
    response.writeHead(answer.status, { "content-type": "application/json", ...headers, ...answer.headers });
    response.end(JSON.stringify(answer.body));
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = `req_${++requestCount}`;
    const target = new URL(request.url ?? "/", url);
    const method = request.method ?? "GET";
    const raw = await readBody(request);
    const headers: Record<string, string> = { "acme-request-id": requestId };

    // The cardholder's 3-D Secure page: their browser, no API key.
    const page = /^\/authenticate\/([^/]+)$/.exec(target.pathname);
    if (page && method === "GET") {
      send(response, ledger.authenticate(page[1]!, target.searchParams.get("result") !== "deny"), headers);
      return;
    }
    if (request.headers.authorization !== `Bearer ${apiKey}`) {
      send(response, refusal(401, "unauthenticated", "Invalid API key."), headers);
      return;
    }
    if (method !== "POST") {
      send(response, route(method, target.pathname, target.searchParams, {}), headers);
      return;
    }

    // Refusals at the front door come before the request is read: nothing is done, nothing kept.
    const refused = faults.take("refuse");
    if (refused) {
      if (refused.retryAfterSeconds !== undefined) headers["retry-after"] = String(refused.retryAfterSeconds);
      send(response, refusal(refused.status, refused.code, "Refused."), headers);
      return;
    }
    const key = request.headers["idempotency-key"];
    if (typeof key !== "string" || key.length === 0 || key.length > 255) {
      send(response, refusal(400, "parameter_missing", "Idempotency-Key is required on every POST.", "Idempotency-Key"), headers);
      return;
    }
    const body = parseJson(raw);
    if (body === null) {
      send(response, refusal(400, "parameter_invalid", "The body must be a JSON object."), headers);
      return;
    }
    const { answer, replayed } = await keys.run(key, `${method} ${target.pathname} ${raw}`, () =>
      route(method, target.pathname, target.searchParams, body),
    );
    if (replayed) headers["idempotent-replayed"] = "true";

    // Faults after acting: the work is done and its answer kept; only the answer goes astray.
    const transport = faults.take("drop_after_acting", "slow_after_acting");
    if (transport?.kind === "drop_after_acting") {
      response.socket?.destroy();
      return;
    }
    if (transport?.kind === "slow_after_acting") {
      const timer = setTimeout(() => {
        slowAnswers.delete(timer);
        send(response, answer, headers);
      }, transport.delayMs);
      slowAnswers.add(timer);
      return;
    }
    send(response, answer, headers);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => send(response, refusal(500, "internal", "Something broke."), {}));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const event = (type: string, object: unknown) =>
    JSON.stringify({ id: `evt_${randomUUID()}`, type, created_at: new Date().toISOString(), data: { object } });

  return {
    url,
    apiKey,
    webhookSecret,
    injectFault: (fault) => faults.set(fault),
    chargeEvent(chargeId) {
      const charge = ledger.findCharge(chargeId);
      if (!charge) throw new Error(`the fake has no charge ${chargeId}`);
      return event(`charge.${charge.status}`, charge);
    },
    refundEvent(refundId) {
      const refund = ledger.findRefund(refundId);
      if (!refund) throw new Error(`the fake has no refund ${refundId}`);
      return event(`refund.${refund.status}`, refund);
    },
    dashboard(chargeId) {
      const charge = ledger.findCharge(chargeId);
      if (!charge) throw new Error(`the fake has no charge ${chargeId}`);
      const refunded = charge.refunds.filter((r) => r.status !== "failed").reduce((sum, r) => sum + r.amount, 0);
      return { currency: charge.currency, amount: inMajorUnits(charge.amount, charge.currency), refunded: inMajorUnits(refunded, charge.currency) };
    },
    sign: (rawBody, signOptions = {}) => signAcmeDelivery(rawBody, signOptions.secret ?? webhookSecret, signOptions.sentAt ?? new Date()),
    reset() {
      ledger.clear();
      keys.clear();
      faults.clear();
    },
    async close() {
      for (const timer of slowAnswers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
