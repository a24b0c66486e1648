import { z } from "zod";

/** The answer of POST /payments/{id}/receipt-link. */
export const receiptLinkResponse = z.object({
  path: z.string().describe("The link's path and query under the host that served this answer (the router's mount path included)"),
  url: z.string().nullable().describe("The absolute link, when the host configured receipts.links.publicBaseUrl; null otherwise"),
  expiresAt: z.iso.datetime().describe("When the link stops opening the receipt"),
});

const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

/** The headers only the public receipt page sets (components.headers): the token in its URL must travel no further. */
export const RECEIPT_LINK_PAGE_HEADERS = {
  "Cache-Control": { description: "`no-store` on the public receipt page: it is never cached", schema: { type: "string", const: "no-store" } },
  "Referrer-Policy": { description: "`no-referrer` on the public receipt page: its link is never sent on as a referrer", schema: { type: "string", const: "no-referrer" } },
  "X-Robots-Tag": { description: "The public receipt page is not indexed", schema: { type: "string" } },
};

const PAGE_HEADERS = Object.fromEntries(
  ["X-Request-Id", "RateLimit", "RateLimit-Policy", "X-Content-Type-Options", "Content-Security-Policy", ...Object.keys(RECEIPT_LINK_PAGE_HEADERS)].map((name) => [name, headerRef(name)]),
);

const page = (description: string) => ({ description, headers: PAGE_HEADERS, content: { "text/html": { schema: { type: "string" } } } });

/**
 * GET /receipts/{token}: public, answered with HTML pages only (a browser opens it), so it is written out here rather
 * than through the JSON operations' builder. Present only when the host configures `receipts.links`.
 */
export function receiptLinkPageOperation(): Record<string, unknown> {
  return {
    operationId: "getReceiptByToken",
    summary: "Open a signed receipt link (public; HTML)",
    description:
      "The page a customer opens from an e-mailed receipt link: no bearer token, the signed token in the path says which " +
      "receipt and until when. Exists only when the host configures `receipts.links` (404 otherwise). A link cut off " +
      "before its token (`GET /receipts/`) answers a 400 page saying the link is incomplete.",
    security: [],
    parameters: [
      {
        name: "token",
        in: "path",
        required: true,
        description: "The signed link token minted by POST /payments/{id}/receipt-link",
        schema: { type: "string", maxLength: 2048 },
      },
    ],
    responses: {
      "200": page("The receipt page"),
      "403": page("The link is not valid: altered, signed with a key this router does not hold, or not a receipt link"),
      "404": {
        description: "The linked receipt no longer exists (a page); a router without receipts.links has no such route (JSON not_found)",
        headers: PAGE_HEADERS,
        content: { "text/html": { schema: { type: "string" } }, "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      },
      "410": page("The link has expired"),
      "429": { ...page("Too many attempts from this address: wait as long as Retry-After says"), headers: { ...PAGE_HEADERS, "Retry-After": headerRef("Retry-After") } },
      "500": page("The receipt cannot be shown right now; the cause is logged"),
    },
  };
}
