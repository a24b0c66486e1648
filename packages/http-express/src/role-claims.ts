/**
 * How a token says it holds a role, the same for every role the router knows (admin, service): the claim named
 * after the role set to `true`, or the name listed in `role`, `roles`, `scope` or `scopes` (an array, or a
 * space-separated string as OAuth scopes are). One reading for both, so a host configures its issuer once.
 */
export function holdsRoleClaim(claims: Readonly<Record<string, unknown>>, claim: string): boolean {
  if (claims[claim] === true) return true;
  for (const name of ["role", "roles", "scope", "scopes"]) {
    const roles = claims[name];
    if (roles === claim) return true;
    if (Array.isArray(roles) && roles.includes(claim)) return true;
    if (typeof roles === "string" && roles.split(" ").includes(claim)) return true;
  }
  return false;
}

/** The claim of host services' tokens when the router's `serviceClaim` names none. */
export const DEFAULT_SERVICE_CLAIM = "payments_service";
