import { randomUUID } from "node:crypto";
import { PaymentError, maskCardNumbers, textProblemMessage } from "@org/payments-core";
import type { NextFunction, Request, Response } from "express";
import type { Principal } from "../principal.js";
import { identifierProblem } from "./identifier-rules.js";

const PRINCIPAL = Symbol("payments.principal");
const REQUEST_ID = Symbol("payments.requestId");

type Annotated = Request & { [PRINCIPAL]?: Principal; [REQUEST_ID]?: string };

export function setPrincipal(req: Request, principal: Principal): void {
  (req as Annotated)[PRINCIPAL] = principal;
}

/** The authenticated principal; only called behind the authentication middleware. */
export function principalOf(req: Request): Principal {
  const principal = (req as Annotated)[PRINCIPAL];
  if (!principal) throw new PaymentError("unauthenticated", "authentication is required");
  return principal;
}

export function maybePrincipal(req: Request): Principal | undefined {
  return (req as Annotated)[PRINCIPAL];
}

export function requestIdOf(req: Request): string {
  return (req as Annotated)[REQUEST_ID] ?? "unknown";
}

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** True when the log scrubber (the widest card reading) would mask part of `id`. */
function maskedInLogs(id: string): boolean {
  return maskCardNumbers(id) !== id;
}

/**
 * A UUID that the log scrubber will never mask (some random UUIDs hold a Luhn-valid run of 13+ digits across their
 * dashes), so a request id is always findable in the log as sent.
 */
function newRequestId(): string {
  let id = randomUUID();
  while (maskedInLogs(id)) id = randomUUID();
  return id;
}

/**
 * Adopts a well-formed incoming X-Request-Id (a proxy's) or makes one, and echoes it on the response. An incoming
 * id holding a card number is replaced, never echoed or logged.
 */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.get("x-request-id");
  const id = incoming && VALID_REQUEST_ID.test(incoming) && !maskedInLogs(incoming) ? incoming : newRequestId();
  (req as Annotated)[REQUEST_ID] = id;
  res.setHeader("X-Request-Id", id);
  next();
}

/** The Idempotency-Key is stored with the outcome, so it follows the identifier rules (no controls, 1–255, no card number). */
export function idempotencyKeyOf(req: Request): string {
  const key = req.get("idempotency-key");
  if (key === undefined || key.length === 0 || key.length > 255) {
    throw new PaymentError("validation_error", "an Idempotency-Key header of 1–255 characters is required on this request", {
      details: { header: "Idempotency-Key" },
    });
  }
  const problem = identifierProblem(key, 255);
  if (problem !== null) {
    throw new PaymentError("validation_error", `Idempotency-Key ${textProblemMessage(problem)}`, { details: { header: "Idempotency-Key", problem } });
  }
  return key;
}
