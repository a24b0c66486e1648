/** What an Acme endpoint answers: an HTTP status and a JSON body. */
export interface AcmeAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A 200 with a copy of `body` as it is now: a kept answer replays what was said then, not the object's later state. */
export function ok(body: unknown): AcmeAnswer {
  return { status: 200, body: structuredClone(body) };
}

/** An error answer in Acme's shape. The message quotes nothing the caller sent. */
export function refusal(status: number, code: string, message: string, param?: string): AcmeAnswer {
  const type = status === 402 ? "card_declined" : status >= 500 ? "api_error" : "invalid_request";
  return { status, body: { error: { type, code, message, ...(param ? { param } : {}) } } };
}
