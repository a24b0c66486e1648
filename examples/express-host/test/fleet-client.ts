import { request } from "node:http";

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

/**
 * One HTTP request from a chosen loopback address (127.0.0.2, 127.0.0.3…: Linux routes all of 127/8 to the
 * loopback), so the proxy sees distinct clients on one machine, as it would see distinct hosts.
 */
export function send(options: {
  port: number;
  method: string;
  path: string;
  from?: string;
  token?: string;
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
}): Promise<Answer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.key) headers["idempotency-key"] = options.key;
  if (body !== undefined) headers["content-type"] = "application/json";
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: "127.0.0.1", port: options.port, method: options.method, path: options.path, headers, localAddress: options.from ?? "127.0.0.1", agent: false },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.once("error", reject);
        answer.once("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: answer.statusCode ?? 0, headers: answer.headers, text, json });
        });
      },
    );
    outgoing.once("error", reject);
    outgoing.end(body);
  });
}
