/**
 * Failures a test can arm on the fake, each for the next `times` matching requests:
 * - `drop_after_commit`: the request takes effect (state changes, the idempotent response is stored), then the
 *   socket is destroyed before any byte of the response: the client cannot know what happened.
 * - `drop_before`: the connection is destroyed before the request is processed.
 * - `status`: the request is answered with this HTTP status (500, 503, 429, 401, 403, 409 …) and is not processed.
 * - `delay`: the request is processed, and its response held back for `ms` (client timeouts).
 */
export type FaultKind =
  | { kind: "drop_after_commit" }
  | { kind: "drop_before" }
  | { kind: "status"; status: number; type?: string; code?: string; message?: string }
  | { kind: "delay"; ms: number };

export type FaultSpec = FaultKind & {
  /** Matches the request method; any when absent. */
  method?: string;
  /** Matches the path: a prefix string or a regular expression; any when absent. */
  path?: string | RegExp;
  /** How many matching requests it affects (default 1). */
  times?: number;
};

interface ArmedFault {
  spec: FaultSpec;
  left: number;
}

export class FaultPlan {
  private armed: ArmedFault[] = [];

  arm(spec: FaultSpec): void {
    this.armed.push({ spec, left: spec.times ?? 1 });
  }

  /** Takes the first armed fault matching this request, consuming one of its uses. */
  take(method: string, path: string): FaultKind | null {
    for (const fault of this.armed) {
      const { spec } = fault;
      if (spec.method !== undefined && spec.method.toUpperCase() !== method) continue;
      if (spec.path !== undefined) {
        const hit = typeof spec.path === "string" ? path.startsWith(spec.path) : spec.path.test(path);
        if (!hit) continue;
      }
      fault.left -= 1;
      if (fault.left <= 0) this.armed = this.armed.filter((f) => f !== fault);
      return spec;
    }
    return null;
  }

  clear(): void {
    this.armed = [];
  }
}
