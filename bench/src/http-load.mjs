// The load generator of the HTTP benchmark, run as its own process so it never competes with the server for the
// event loop. argv: <baseUrl> <bearer token or "-"> <seconds> <connections>. Prints autocannon's figures as JSON.
// Each connection loops: create (fresh key) → confirm (fresh key); every 10th chain repeats its confirm with the
// same key, which must come back as a replay.
import autocannon from "autocannon";

const [baseUrl, token, seconds, connections] = process.argv.slice(2);
let sequence = 0;
let replays = 0;
let repeats = 0;
const headers = (key) => ({
  "content-type": "application/json",
  "idempotency-key": key,
  ...(token === "-" ? {} : { authorization: `Bearer ${token}` }),
});

const result = await autocannon({
  url: baseUrl,
  connections: Number(connections),
  duration: Number(seconds),
  requests: [
    {
      method: "POST",
      path: `${new URL(baseUrl).pathname}/payments`,
      setupRequest: (request, context) => {
        context.n = ++sequence;
        return { ...request, headers: headers(`create-${process.pid}-${context.n}`), body: JSON.stringify({ amount: 1999, currency: "USD" }) };
      },
      onResponse: (status, body, context) => {
        if (status === 201) context.id = JSON.parse(body).id;
      },
    },
    {
      method: "POST",
      setupRequest: (request, context) => ({
        ...request,
        path: `${new URL(baseUrl).pathname}/payments/${context.id}/confirm`,
        headers: headers(`confirm-${process.pid}-${context.n}`),
        body: JSON.stringify({ paymentMethodId: "pm_card_visa" }),
      }),
    },
    {
      method: "POST",
      setupRequest: (request, context) => {
        // Only every 10th chain retries; the others restart at the first request.
        if (context.n % 10 !== 0) return null;
        return {
          ...request,
          path: `${new URL(baseUrl).pathname}/payments/${context.id}/confirm`,
          headers: headers(`confirm-${process.pid}-${context.n}`),
          body: JSON.stringify({ paymentMethodId: "pm_card_visa" }),
        };
      },
      onResponse: (_status, _body, _context, responseHeaders) => {
        // Counted on the answer, not the send: a retry still in flight when the run ends has no answer yet.
        repeats++;
        // Raw header names keep the server's casing.
        const replayed = Object.entries(responseHeaders ?? {}).some(([name, value]) => name.toLowerCase() === "idempotent-replayed" && value === "true");
        if (replayed) replays++;
      },
    },
  ],
});

process.stdout.write(
  JSON.stringify({
    requestsPerSecond: result.requests.average,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    replayedRetries: replays,
    retries: repeats,
  }),
);
