import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createMemoryStore, dispatchOutbox } from "@org/payments-core";
import type { PaymentEvent } from "@org/payments-core";
import { samplePayment, sampleEvent } from "@org/payments-core/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSignedHttpPublisher, verifyPaymentsSignature } from "../src/index.js";

const SECRET = "whsec_test_primary";

interface Received {
  rawBody: string;
  signature: string | undefined;
  eventId: string | undefined;
  verdict: ReturnType<typeof verifyPaymentsSignature>;
}

/** A receiver as a host would write it: raw body, verify, store, then 2xx. */
describe("signed HTTP publisher", () => {
  let server: Server;
  let url: string;
  const received: Received[] = [];
  let answer: (res: ServerResponse) => void = (res) => res.writeHead(204).end();

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const rawBody = Buffer.concat(chunks).toString("utf8");
        const signature = req.headers["payments-signature"] as string | undefined;
        received.push({
          rawBody,
          signature,
          eventId: req.headers["payments-event-id"] as string | undefined,
          verdict: verifyPaymentsSignature(rawBody, signature, SECRET),
        });
        answer(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/payments-events`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    received.length = 0;
    answer = (res) => res.writeHead(204).end();
  });

  const event = (): PaymentEvent => sampleEvent(samplePayment({ amount: 4599, currency: "EUR" }), "payment.succeeded");

  it("posts the event JSON with a signature the receiver verifies and the event id header", async () => {
    const sent = event();
    await createSignedHttpPublisher({ url, secret: SECRET, timeoutMs: 2_000 }).publish(sent);
    expect(received).toHaveLength(1);
    const [got] = received;
    expect(got!.verdict).toMatchObject({ valid: true });
    expect(got!.eventId).toBe(sent.id);
    expect(JSON.parse(got!.rawBody)).toEqual(sent);
    expect(got!.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });

  it("a tampered body, a wrong secret, a stale or future timestamp and a malformed header are rejected", async () => {
    await createSignedHttpPublisher({ url, secret: SECRET }).publish(event());
    const { rawBody, signature } = received[0]!;
    const t = Number(/t=(\d+)/.exec(signature!)![1]) * 1000;
    expect(verifyPaymentsSignature(rawBody, signature, SECRET, { now: t })).toMatchObject({ valid: true });
    expect(verifyPaymentsSignature(rawBody.replace("4599", "4598"), signature, SECRET, { now: t })).toEqual({ valid: false, reason: "signature_mismatch" });
    expect(verifyPaymentsSignature(rawBody, signature, "whsec_other", { now: t })).toEqual({ valid: false, reason: "signature_mismatch" });
    expect(verifyPaymentsSignature(rawBody, signature, SECRET, { now: t + 301_000 })).toEqual({ valid: false, reason: "timestamp_out_of_tolerance" });
    expect(verifyPaymentsSignature(rawBody, signature, SECRET, { now: t - 301_000 })).toEqual({ valid: false, reason: "timestamp_out_of_tolerance" });
    expect(verifyPaymentsSignature(rawBody, signature, SECRET, { now: t + 3_600_000, toleranceSeconds: 7_200 })).toMatchObject({ valid: true });
    // The timestamp is inside the MAC: moving it forward to pass the tolerance breaks the signature.
    const moved = signature!.replace(/t=\d+/, `t=${t / 1000 + 600}`);
    expect(verifyPaymentsSignature(rawBody, moved, SECRET, { now: t + 600_000 })).toEqual({ valid: false, reason: "signature_mismatch" });
    expect(verifyPaymentsSignature(rawBody, undefined, SECRET)).toEqual({ valid: false, reason: "missing_header" });
    expect(verifyPaymentsSignature(rawBody, "v1=abc", SECRET)).toEqual({ valid: false, reason: "malformed_header" });
    // Rotation: the receiver accepts the old and the new secret while senders switch.
    expect(verifyPaymentsSignature(rawBody, signature, ["whsec_next", SECRET], { now: t })).toMatchObject({ valid: true });
  });

  it("a non-2xx answer, a redirect or a timeout rejects, and the outbox keeps the event pending for a retry", async () => {
    const store = createMemoryStore();
    const payment = samplePayment();
    const sent = sampleEvent(payment, "payment.created", "2026-01-01T00:00:00.000Z");
    await store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.appendOutbox([sent]);
    });
    const publisher = createSignedHttpPublisher({ url, secret: SECRET, timeoutMs: 300 });
    const attempt = () => dispatchOutbox({ store, publisher, maxRounds: 1, backoffMs: () => 0 });

    answer = (res) => res.writeHead(500).end("oops");
    expect(await attempt()).toEqual({ delivered: 0, failed: 1, dead: 0 });
    answer = (res) => res.writeHead(302, { location: "http://127.0.0.1:1/elsewhere" }).end();
    expect(await attempt()).toEqual({ delivered: 0, failed: 1, dead: 0 });
    answer = () => undefined; // never answers
    expect(await attempt()).toEqual({ delivered: 0, failed: 1, dead: 0 });
    const [entry] = await store.listOutbox({ limit: 1 });
    expect(entry).toMatchObject({ status: "pending", attempts: 3, lastError: expect.stringMatching(/timed out/) });

    answer = (res) => res.writeHead(200).end("ok");
    expect(await attempt()).toEqual({ delivered: 1, failed: 0, dead: 0 });
    expect(received.filter((r) => r.eventId === sent.id)).toHaveLength(4);
    expect(received.every((r) => r.verdict.valid)).toBe(true);
  });

  it("an empty secret is a configuration error at construction, before anything is sent", () => {
    expect(() => createSignedHttpPublisher({ url, secret: "" })).toThrow(
      expect.objectContaining({ name: "PaymentError", code: "configuration_error", message: "createSignedHttpPublisher: secret must not be empty" }),
    );
    expect(received).toHaveLength(0);
  });

  it("an unreachable receiver rejects with the cause", async () => {
    const publisher = createSignedHttpPublisher({ url: "http://127.0.0.1:1/x", secret: SECRET, timeoutMs: 1_000 });
    await expect(publisher.publish(event())).rejects.toThrow(/not delivered/);
  });
});
