/**
 * Errors from the SDK carry the request that failed, and axios errors carry the Node request itself: both hold the
 * `Authorization` header (a bearer token, or Basic client id and secret on the token call). We keep the original as
 * `cause`, so these are scrubbed first — a host that logs `err.cause` must never print a credential.
 */
export function redactSecrets(error: unknown): void {
  if (typeof error !== "object" || error === null) return;
  const e = error as Record<string, unknown>;
  scrubRequestLike(e["request"]);
  const config = e["config"];
  if (config && typeof config === "object") scrubConfig(config as Record<string, unknown>);
  if (e["isAxiosError"] === true) {
    // The ClientRequest keeps the raw header block (`_header`); drop it rather than chase Node internals.
    e["request"] = undefined;
    const response = e["response"];
    if (response && typeof response === "object") {
      const r = response as Record<string, unknown>;
      r["request"] = undefined;
      if (r["config"] && typeof r["config"] === "object") scrubConfig(r["config"] as Record<string, unknown>);
    }
  }
}

function scrubRequestLike(request: unknown): void {
  if (!request || typeof request !== "object") return;
  const r = request as Record<string, unknown>;
  if (r["headers"] && typeof r["headers"] === "object") scrubHeaders(r["headers"] as Record<string, unknown>);
  if ("auth" in r) r["auth"] = undefined;
}

function scrubConfig(config: Record<string, unknown>): void {
  if ("auth" in config) config["auth"] = undefined;
  const headers = config["headers"];
  if (headers && typeof headers === "object") scrubHeaders(headers as Record<string, unknown>);
}

function scrubHeaders(headers: Record<string, unknown>): void {
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() === "authorization") headers[name] = "[redacted]";
  }
  // AxiosHeaders stores values behind methods as well as own keys.
  const maybe = headers as { delete?: (name: string) => unknown };
  if (typeof maybe.delete === "function") {
    try {
      maybe.delete("authorization");
    } catch {
      // Not an AxiosHeaders instance after all; the own keys above are already scrubbed.
    }
  }
}
