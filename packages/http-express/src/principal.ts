/** Who is calling, as the router's authorization sees it. */
export interface Principal {
  /** The JWT `sub`: payments it creates are owned by it, and its idempotency keys are scoped to it. */
  sub: string;
  /** Holds the admin role (a configurable claim): capture, refunds, stats and everyone's payments. */
  admin: boolean;
  /**
   * Holds the service role (the router's `serviceClaim`): a host service acting on owners' behalf — customers,
   * saved methods and off-session charges, naming the owner it acts for. A custom `authenticate` may set it; when
   * it does not, the router reads the claim from `claims` (so it is always a boolean behind the router).
   */
  service?: boolean | undefined;
  claims: Readonly<Record<string, unknown>>;
}

/** Turns a request's credentials into a principal, or null when there are none or they are invalid. */
export type Authenticate = (request: { headers: Record<string, string | string[] | undefined> }) => Promise<Principal | null>;
