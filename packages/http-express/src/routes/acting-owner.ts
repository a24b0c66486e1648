import { PaymentError } from "@org/payments-core";
import type { Request } from "express";
import type { Authorize } from "../authorization.js";
import { identifierProblem } from "../http/identifier-rules.js";
import { principalOf } from "../http/request-context.js";

/**
 * The owner a create acts for (POST /payments, POST /customers). A customer's own token is the owner and may not
 * name one (400, as before the service role: the body cannot move a payment to someone else); a token allowed
 * `owner.act_for` (the service role, an admin) names the owner in `owner`, and the service role must name one,
 * since a payment or customer owned by the service itself would be no user's to see or use. An admin naming none
 * acts for itself, as before.
 */
export async function actingOwner(req: Request, body: Record<string, unknown>, authorize: Authorize): Promise<string> {
  const principal = principalOf(req);
  if (!("owner" in body)) {
    if (principal.service === true && !principal.admin) {
      throw new PaymentError("validation_error", "a service token names the owner it acts for: pass owner", { details: { field: "owner" } });
    }
    return principal.sub;
  }
  if (!(await authorize("owner.act_for", principal))) {
    throw new PaymentError("validation_error", "owner is taken from your token, not the body", { details: { field: "owner" } });
  }
  const owner = body.owner;
  // The owner scopes everything it owns, so it follows the token subject's rule; the value is never repeated.
  if (typeof owner !== "string" || identifierProblem(owner, 200) !== null) {
    throw new PaymentError("validation_error", "owner must be a user id (1–200 characters, no control characters, not a card number)", { details: { field: "owner" } });
  }
  return owner;
}
