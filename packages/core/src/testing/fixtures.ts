import { randomUUID } from "node:crypto";
import type { PaymentEvent } from "../domain/events.js";
import { EVENT_SCHEMA_VERSION, snapshotPayment } from "../domain/events.js";
import { type HistoryEntry, type Payment, type Refund, newPendingPayment } from "../domain/payment.js";
import type { IdempotencyRecord, InboxEvent } from "../ports/payment-store.js";

let counter = 0;
/** Ids that sort in creation order, like the ULIDs the service makes. */
export function testId(prefix: string): string {
  counter += 1;
  return `${prefix}_${Date.now().toString(36).padStart(10, "0")}${String(counter).padStart(8, "0")}`;
}

export function samplePayment(overrides: Partial<Payment> = {}): Payment {
  const base = newPendingPayment({
    id: testId("pay"),
    owner: "user_1",
    amount: 2500,
    currency: "USD",
    provider: "simulated",
    createdAt: overrides.createdAt ?? new Date().toISOString(),
  });
  return { ...base, ...overrides };
}

export function sampleHistory(payment: Payment, overrides: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id: testId("his"),
    paymentId: payment.id,
    from: null,
    to: payment.status,
    at: payment.updatedAt,
    actor: "user_1",
    reason: "created",
    kind: "transition",
    ...overrides,
  };
}

export function sampleEvent(payment: Payment, type: PaymentEvent["type"] = "payment.created", at = payment.updatedAt): PaymentEvent {
  return {
    id: testId("evt"),
    type,
    schemaVersion: EVENT_SCHEMA_VERSION,
    paymentId: payment.id,
    occurredAt: at,
    data: { payment: snapshotPayment(payment) },
  };
}

export function sampleRefund(payment: Payment, overrides: Partial<Refund> = {}): Refund {
  return {
    id: testId("rf"),
    paymentId: payment.id,
    amount: 100,
    currency: payment.currency,
    status: "pending",
    reason: "requested_by_customer",
    actor: "admin",
    providerRefundId: null,
    failure: null,
    createdAt: payment.updatedAt,
    updatedAt: payment.updatedAt,
    ...overrides,
  };
}

export function sampleIdempotencyRecord(overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  const at = new Date().toISOString();
  return {
    scope: "user_1",
    key: randomUUID(),
    operation: "payment.create",
    fingerprint: "f".repeat(64),
    paymentId: null,
    recoveryPoint: "started",
    lockId: "lock_a",
    lockedAt: at,
    gatewayKey: null,
    gatewayRequest: null,
    gatewaySentAt: null,
    gatewayAttempts: 0,
    lastGatewayError: null,
    flaggedAt: null,
    outcomeUnknownSince: null,
    gatewayLastSentAt: null,
    outcome: null,
    createdAt: at,
    updatedAt: at,
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    ...overrides,
  };
}

/** A provider webhook as the inbox stores it: a payment event for `paymentId` (another id when omitted). */
export function sampleInboxEvent(overrides: Partial<InboxEvent> = {}): InboxEvent {
  const eventId = overrides.eventId ?? testId("evt");
  const paymentId = overrides.paymentId === undefined ? testId("pay") : overrides.paymentId;
  const at = overrides.receivedAt ?? new Date().toISOString();
  return {
    provider: "stripe",
    eventId,
    type: "payment_intent.succeeded",
    event: {
      kind: "payment",
      provider: overrides.provider ?? "stripe",
      eventId,
      type: "payment_intent.succeeded",
      occurredAt: at,
      payment: {
        provider: overrides.provider ?? "stripe",
        providerPaymentId: "pi_contract",
        paymentId,
        status: "succeeded",
        amount: Number.MAX_SAFE_INTEGER,
        currency: "USD",
        amountCapturable: 0,
        amountCaptured: Number.MAX_SAFE_INTEGER,
        amountRefunded: 0,
        nextAction: null,
        failure: null,
        paymentMethodType: "card",
        refunds: [],
      },
    },
    paymentId,
    providerPaymentId: "pi_contract",
    status: "received",
    attempts: 0,
    receivedAt: at,
    processedAt: null,
    lastError: null,
    outcome: null,
    ...overrides,
  };
}

/** A small seeded generator: the same hostile strings on every run and every store, so a failure is reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Code units no text field may hold: NUL and every other C0 control but TAB/LF/CR, DEL, lone surrogates. */
const NEVER_STORABLE: readonly string[] = [
  ...Array.from({ length: 0x20 }, (_, code) => code)
    .filter((code) => code !== 0x09 && code !== 0x0a && code !== 0x0d)
    .map((code) => String.fromCharCode(code)),
  "\u007f",
  "\ud800",
  "\udbff",
  "\udc00",
  "\udfff",
  // A low surrogate before a high one is two lone surrogates, not a pair.
  "\udc00\ud800",
];

/** Line breaks and tabs: fine in free text (descriptions, reasons), refused in single-line fields. */
const LINE_BREAKS: readonly string[] = ["\n", "\r", "\t", "\r\n", "line one\nline two"];

/**
 * Harmless text around the poison, chosen to look like what it is not: a surrogate pair (an emoji), the replacement
 * character the drivers substitute for a lone surrogate, and the escaped spellings of NUL.
 */
const HARMLESS: readonly string[] = ["a", "Z9", " ", "-", "_", "ü", "€", "日本", "😀", "\ufffd", "e\u0301", "'", '"', "\\", "%00", "\\u0000", "pay_", "bk_1"];

function compose(poison: readonly string[], count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const out = new Set<string>();
  // Every poison alone, at the start, in the middle and at the end of harmless text.
  for (const p of poison) {
    out.add(p);
    out.add(`${p}${pick(HARMLESS)}`);
    out.add(`${pick(HARMLESS)}${p}${pick(HARMLESS)}`);
    out.add(`${pick(HARMLESS)}${pick(HARMLESS)}${p}`);
  }
  // Then random mixtures: a few harmless tokens with one or two poisons at random places.
  while (out.size < poison.length * 4 + count) {
    const parts = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(HARMLESS));
    for (let n = 1 + Math.floor(random() * 2); n > 0; n--) parts.splice(Math.floor(random() * (parts.length + 1)), 0, pick(poison));
    out.add(parts.join(""));
  }
  return [...out];
}

/** Generated strings no store may keep in any text field (NUL, controls, DEL, lone surrogates, anywhere). */
export function hostileTexts(count = 40, seed = 0x5eed): string[] {
  return compose(NEVER_STORABLE, count, seed);
}

/** Generated strings with line breaks or tabs: stored in free-text fields, refused in single-line ones. */
export function lineBreakTexts(count = 10, seed = 0x11e): string[] {
  return compose(LINE_BREAKS, count, seed);
}

/** Text that looks hostile and is not (escaped spellings, U+FFFD, emoji): every store keeps it verbatim. */
export const LOOKALIKE_TEXT = "50% off \\u0000 %00 😀 \ufffd e\u0301 日本";
