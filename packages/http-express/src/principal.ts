/** Who is calling, as the router's authorization sees it. */
export interface Principal {
  /** The JWT `sub`: payments it creates are owned by it, and its idempotency keys are scoped to it. */
  sub: string;
  /** Holds the admin role (a configurable claim): capture, refunds, stats and everyone's payments. */
  admin: boolean;
  claims: Readonly<Record<string, unknown>>;
}

/** Turns a request's credentials into a principal, or null when there are none or they are invalid. */
export type Authenticate = (request: { headers: Record<string, string | string[] | undefined> }) => Promise<Principal | null>;
