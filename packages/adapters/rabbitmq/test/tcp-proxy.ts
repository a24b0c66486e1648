import { connect, createServer } from "node:net";
import type { AddressInfo, Socket } from "node:net";

/**
 * A TCP proxy on 127.0.0.1 in front of the broker, so a test can cut the publisher's connection (as a network
 * failure would) or hold back the broker's replies (so publishes reach the broker but their confirms never arrive).
 */
export interface TcpProxy {
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** While true, bytes from the broker to the client are dropped. */
  holdReplies: boolean;
  /** Destroys every open connection on both sides. */
  cutAll(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let accepted = 0;
  const proxy = {
    port: 0,
    holdReplies: false,
    get accepted() {
      return accepted;
    },
    urlFor(url: string) {
      const parsed = new URL(url);
      parsed.hostname = "127.0.0.1";
      parsed.port = String(proxy.port);
      return parsed.toString();
    },
    cutAll() {
      for (const socket of open) socket.destroy();
      open.clear();
    },
    close: async () => {
      proxy.cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((client) => {
    accepted++;
    const upstream = connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.on("data", (chunk) => upstream.write(chunk));
    upstream.on("data", (chunk) => {
      if (!proxy.holdReplies) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.port = (server.address() as AddressInfo).port;
  return proxy;
}
