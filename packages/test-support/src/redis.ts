import { connect } from "node:net";
import { requireServiceInCi } from "./require-service.js";

export const DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379";

export function testRedisUrl(): string {
  const fromEnv = process.env.PAYMENTS_TEST_REDIS_URL;
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : DEFAULT_TEST_REDIS_URL;
}

/** One PING over a raw socket: knowing whether the server answers needs no client library. */
function ping(url: string): Promise<true> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    socket.setTimeout(5_000, () => socket.destroy(new Error("no answer within 5 s")));
    socket.once("error", reject);
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (reply) => {
      socket.end();
      if (reply.toString().startsWith("+PONG")) resolve(true);
      else reject(new Error(`unexpected reply ${JSON.stringify(reply.toString().slice(0, 40))}`));
    });
  });
}

let availability: Promise<boolean> | undefined;

/**
 * Whether the test Redis answers. Under CI=true an unreachable server throws (a failure, never a silent skip);
 * elsewhere it returns false after printing why, for `describe.skipIf(!available)`.
 */
export function redisAvailable(): Promise<boolean> {
  const url = testRedisUrl();
  availability ??= ping(url).catch((error: unknown) => requireServiceInCi("Redis", url, error));
  return availability;
}
