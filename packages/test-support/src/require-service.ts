/**
 * Under CI=true a missing service is a failure, never a skip: this throws with the fix in the message. Outside CI
 * it returns false so a developer without the service sees a clear skip reason instead.
 */
export function requireServiceInCi(service: string, url: string, cause: unknown): false {
  const reason = `${service} is unreachable at ${url}: ${cause instanceof Error ? cause.message : String(cause)}`;
  if (process.env.CI === "true") {
    throw new Error(`${reason}. CI requires it; start it (see .ci/run) or set the URL variable.`);
  }
  console.warn(`[test-support] skipping: ${reason}`);
  return false;
}
