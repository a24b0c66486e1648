import { type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

/** Headers that describe one connection, not the message: never forwarded by a proxy. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);

export interface ReverseProxy {
  port: number;
  /** Requests each upstream answered, by its index. */
  served: number[];
  /** Requests that failed on one upstream and were sent to the next. */
  retried: number;
  close(): Promise<void>;
}

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * May this failure go to the next upstream? A refused connection reached no one, so always (nginx's
 * `proxy_next_upstream error`). A connection reset before any answer might have reached the application, so only
 * for requests a repeat cannot change: reads, and POSTs carrying an Idempotency-Key (nginx's `non_idempotent`,
 * which is safe here because the payments API replays a repeated key).
 */
function retryable(error: NodeJS.ErrnoException, req: IncomingMessage): boolean {
  if (error.code === "ECONNREFUSED") return true;
  const safeToRepeat = req.method === "GET" || req.method === "HEAD" || req.headers["idempotency-key"] !== undefined;
  return safeToRepeat && (error.code === "ECONNRESET" || error.message === "socket hang up");
}

/**
 * A small round-robin reverse proxy in front of the fleet, as a deployment's would be configured: it appends the
 * address it saw to X-Forwarded-For, opens a fresh upstream connection per request (no idle keep-alive socket a
 * stopping instance could close under a request), and retries a refused connection on the other instance.
 */
export async function startReverseProxy(upstreamPorts: readonly number[]): Promise<ReverseProxy> {
  const served = upstreamPorts.map(() => 0);
  let next = 0;
  const proxy: ReverseProxy = { port: 0, served, retried: 0, close: async () => undefined };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, upstream: number): Promise<void> =>
    new Promise((resolve, reject) => {
      let answered = false;
      const forwardedFor = [req.headers["x-forwarded-for"], req.socket.remoteAddress].filter(Boolean).join(", ");
      const outgoing = request(
        {
          host: "127.0.0.1",
          port: upstreamPorts[upstream],
          method: req.method,
          path: req.url,
          headers: { ...withoutHopByHop(req.headers), "x-forwarded-for": forwardedFor, "content-length": String(body.length), connection: "close" },
          agent: false,
        },
        (answer) => {
          answered = true;
          served[upstream] = (served[upstream] ?? 0) + 1;
          res.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers));
          answer.pipe(res);
          answer.once("end", () => resolve());
          answer.once("error", () => {
            res.destroy();
            resolve();
          });
        },
      );
      outgoing.once("error", (error) => {
        // Only a failure before any answer may be retried elsewhere; after it, the client's response is cut.
        if (!answered) return reject(error);
        res.destroy();
        resolve();
      });
      outgoing.end(body);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await bodyOf(req);
    const first = next++ % upstreamPorts.length;
    for (let attempt = 0; attempt < upstreamPorts.length; attempt++) {
      try {
        await forward(req, res, body, (first + attempt) % upstreamPorts.length);
        return;
      } catch (error) {
        const last = attempt === upstreamPorts.length - 1;
        if (last || !retryable(error as NodeJS.ErrnoException, req)) {
          if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" }).end(`bad gateway: ${(error as Error).message}`);
          return;
        }
        proxy.retried++;
      }
    }
  };

  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.port = (server.address() as AddressInfo).port;
  proxy.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
