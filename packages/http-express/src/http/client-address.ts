import type { Request } from "express";
import proxyAddr from "proxy-addr";

/**
 * Which proxies in front of the router to believe, with the values Express's `trust proxy` setting accepts:
 * `true` (every hop: a client can then forge its address), a hop count (`1`: one proxy), addresses, subnets or
 * the names `loopback`, `linklocal`, `uniquelocal` (a comma-separated string or an array), or a function
 * `(address, hop) => boolean`. `false` trusts none.
 */
export type TrustProxy = boolean | number | string | string[] | ((address: string, hop: number) => boolean);

type TrustFn = (address: string, hop: number) => boolean;

/** Compiled the way Express compiles `trust proxy`, so the same value means the same here and on the app. */
function compileTrustProxy(value: TrustProxy): TrustFn {
  if (typeof value === "function") return value;
  if (value === true) return () => true;
  if (value === false) return () => false;
  if (typeof value === "number") return (_address, hop) => hop < value;
  return proxyAddr.compile(typeof value === "string" ? value.split(",").map((part) => part.trim()) : value);
}

/**
 * The address a request came from, as throttling keys it. Without the router's `trustProxy` it is `req.ip`,
 * i.e. whatever the host app's own `trust proxy` setting makes of it (off by default: the socket's peer, so
 * behind a proxy every client is the proxy). With it, the nearest address in `X-Forwarded-For` the trusted
 * proxies did not add — entries a client wrote itself further left are never reached.
 */
export function clientAddressResolver(trustProxy: TrustProxy | undefined): (req: Request) => string {
  if (trustProxy === undefined) return (req) => req.ip ?? req.socket.remoteAddress ?? "unknown";
  const trust = compileTrustProxy(trustProxy);
  return (req) => proxyAddr(req, trust);
}
