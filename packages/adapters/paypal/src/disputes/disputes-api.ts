import type { GatewayDispute } from "@org/payments-core";
import type { Client } from "@paypal/paypal-server-sdk";
import type { CaptureLookup } from "../capture-lookup.js";
import { mapDispute, needsDisputeDetails, type PayPalDisputeResource } from "./map-dispute.js";

/** PayPal's largest page (`page_size` is 1 to 50). */
const PAGE_SIZE = 50;
/**
 * "The start time must be within the last 180 days": PayPal lists no older disputes. We ask for an hour less, as a
 * start_time at exactly 180 days by our clock is past it by PayPal's once the request has travelled (a 400).
 */
export const DISPUTE_LIST_REACH_MS = 180 * 24 * 3600 * 1000 - 3600 * 1000;
const LIST_PATH = "/v1/customer/disputes";

type Call = <T>(operation: string, run: () => Promise<{ result: T }>) => Promise<T>;

interface DisputeSearch {
  items?: PayPalDisputeResource[];
  links?: Array<{ href?: unknown; rel?: unknown }>;
}

/**
 * The Disputes API v1 (developer.paypal.com/api/customer-disputes/v1/): list disputes and show one.
 *
 * @paypal/paypal-server-sdk 2.x has no disputes controller (its controllers are orders, payments, vault,
 * transaction search, subscriptions and OAuth), so the calls go through the SDK's own request pipeline, as the
 * webhook verify call does: the client's cached OAuth token, base URL, timeout and HTTP settings. `call` is the
 * gateway's wrapper, which retries once with a fresh token after a 401 and maps failures to PaymentErrors. These are
 * reads: PayPal documents PayPal-Request-Id for POSTs only, so none is sent.
 */
export class PayPalDisputes {
  constructor(
    private readonly client: Client,
    private readonly call: Call,
    private readonly lookupCapture: CaptureLookup,
    private readonly now: () => Date,
  ) {}

  async #get<T>(operation: string, path: string, query: Record<string, string> = {}): Promise<T> {
    return this.call(operation, async () => {
      const request = this.client.getRequestBuilderFactory()("GET", path);
      if (Object.keys(query).length > 0) request.query(query);
      request.authenticate([{ oauth2: true }]);
      const response = await request.callAsText();
      return { result: JSON.parse(response.result) as T };
    });
  }

  /** GET /v1/customer/disputes/{id}: the full resource (transactions, outcome). */
  async show(disputeId: string): Promise<PayPalDisputeResource> {
    return this.#get("show dispute", `${LIST_PATH}/${encodeURIComponent(disputeId)}`);
  }

  /**
   * Every dispute PayPal opened in [since, until), as it stands now. The list filters by creation time from
   * `start_time` (no upper bound: newer ones are skipped here), newest first, paged by the `next_page_token` that
   * PayPal puts in the `next` link. A window reaching further back than PayPal's 180 days starts at that limit.
   *
   * Cost: the list's items are summaries (id, reason, status, stage, amount, times; no transaction and no outcome),
   * so each item whose summary lacks what the mapping needs is read in full (one call), and its capture is read to
   * find the payment (one more): 1 call per page of 50, plus up to 2 per dispute.
   */
  async *list(window: { since: Date; until: Date }): AsyncGenerator<GatewayDispute> {
    const reach = this.now().getTime() - DISPUTE_LIST_REACH_MS;
    const since = new Date(Math.max(window.since.getTime(), reach));
    if (since.getTime() >= window.until.getTime()) return;
    let query: Record<string, string> = { start_time: since.toISOString(), page_size: String(PAGE_SIZE) };
    const seenTokens = new Set<string>();
    for (;;) {
      const page = await this.#get<DisputeSearch>("list disputes", LIST_PATH, query);
      for (const item of page.items ?? []) {
        const created = typeof item.create_time === "string" ? Date.parse(item.create_time) : Number.NaN;
        if (!(created >= since.getTime() && created < window.until.getTime())) continue;
        const resource = needsDisputeDetails(item) && typeof item.dispute_id === "string" ? await this.show(item.dispute_id) : item;
        yield await mapDispute(resource, this.lookupCapture, typeof item.update_time === "string" ? item.update_time : this.now().toISOString());
      }
      const next = nextPageQuery(page);
      // A token seen before would loop forever: PayPal's answer is then taken as complete.
      if (!next || seenTokens.has(next["next_page_token"] ?? "")) return;
      seenTokens.add(next["next_page_token"] ?? "");
      query = next;
    }
  }
}

/**
 * The query of the `next` link, when it points at the list again (a link elsewhere is not followed). PayPal's link
 * carries every filter plus `next_page_token`; the link's host is not used, the client's base URL is.
 */
function nextPageQuery(page: DisputeSearch): Record<string, string> | null {
  const href = page.links?.find((l) => l.rel === "next")?.href;
  if (typeof href !== "string" || !URL.canParse(href)) return null;
  const url = new URL(href);
  if (url.pathname !== LIST_PATH || !url.searchParams.get("next_page_token")) return null;
  return Object.fromEntries(url.searchParams.entries());
}
