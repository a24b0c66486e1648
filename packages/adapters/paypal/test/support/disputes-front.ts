import { request as httpRequest, createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { PayPalFake, SentResponse } from "@org/payments-test-support/paypal-fake";
import type { FakeDisputes } from "./fake-disputes.js";

/** The PayPal origin the SDK puts in front of every path (see the fake's `httpClientOptions`). */
const PAYPAL_ORIGIN = /^\/https?:\/(?:\/)?(api-m\.(?:sandbox\.)?paypal\.com)(?=\/)/;

export interface DisputesFront {
  readonly baseUrl: string;
  /** Every answer the front gave to a disputes call, to hold them to the dispute schema. */
  readonly responses: SentResponse[];
  /** axios overrides aiming the SDK at the front (same form as the fake's own). */
  httpClientOptions(): Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * A local HTTP server in front of the fake PayPal: /v1/customer/disputes… is answered by `FakeDisputes`, everything
 * else is passed through to the fake untouched (same method, path, headers and bytes; a dropped connection is
 * dropped here too). Disputes calls need a bearer token the fake issued; the fake's revocation and expiry are not
 * visible from here, so a revoked token still reads disputes (no test of disputes relies on revocation).
 */
export async function startDisputesFront(fake: PayPalFake, disputes: FakeDisputes): Promise<DisputesFront> {
  const responses: SentResponse[] = [];

  function answerDisputes(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): void {
    const method = (req.method ?? "GET").toUpperCase();
    const authorization = req.headers["authorization"] ?? "";
    const token = authorization.startsWith("Bearer ") ? authorization.slice("Bearer ".length) : "";
    const reply = fake.issuedTokens.includes(token)
      ? disputes.answer(method, path, query)
      : { status: 401, body: { error: "invalid_token", error_description: "Token signature verification failed" } };
    responses.push({ method, path, status: reply.status, body: reply.body });
    res.writeHead(reply.status, { "content-type": "application/json", "paypal-debug-id": "f0f0f0f0f0f0" }).end(JSON.stringify(reply.body));
  }

  function pass(req: IncomingMessage, res: ServerResponse): void {
    const target = new URL(fake.baseUrl);
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => req.socket.destroy());
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://front");
    const origin = PAYPAL_ORIGIN.exec(url.pathname);
    const path = origin ? url.pathname.slice(origin[0].length) : url.pathname;
    if (path === "/v1/customer/disputes" || path.startsWith("/v1/customer/disputes/")) {
      req.resume();
      req.on("end", () => answerDisputes(req, res, path, url.searchParams));
      return;
    }
    pass(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    responses,
    httpClientOptions: () => ({ baseURL: baseUrl, allowAbsoluteUrls: false, proxy: false }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
