/**
 * What a customer sees when a receipt link cannot show the receipt: a page in a browser, never a JSON error body
 * and never any part of the payment. Each failure has its own status and words, so a support agent told "it says
 * the link has expired" knows to send a new one.
 */
export type ReceiptLinkFailure = "missing" | "invalid" | "expired" | "not_found" | "rate_limited" | "internal";

const FAILURES: Readonly<Record<ReceiptLinkFailure, { status: number; title: string; message: string }>> = {
  missing: { status: 400, title: "This receipt link is incomplete", message: "Part of the link is missing. Open the link from your e-mail again, or copy all of it into the address bar." },
  invalid: { status: 403, title: "This receipt link is not valid", message: "The link has been changed or was not issued by us. Ask the merchant to send you a new receipt link." },
  expired: { status: 410, title: "This receipt link has expired", message: "Receipt links work for a limited time. Ask the merchant to send you a new one." },
  not_found: { status: 404, title: "This receipt is no longer available", message: "The receipt this link points to cannot be found. Please contact the merchant." },
  rate_limited: { status: 429, title: "Too many attempts", message: "Please wait a minute and open the link again." },
  internal: { status: 500, title: "The receipt cannot be shown right now", message: "Something went wrong on our side. Please try again in a few minutes." },
};

export function receiptLinkFailureStatus(failure: ReceiptLinkFailure): number {
  return FAILURES[failure].status;
}

/** A self-contained page (no scripts, no assets) holding only fixed text: nothing from the request is echoed. */
export function renderReceiptLinkFailurePage(failure: ReceiptLinkFailure): string {
  const { title, message } = FAILURES[failure];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>*{box-sizing:border-box}body{margin:0;padding:1rem;font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2328}main{max-width:40rem;margin:2rem auto}h1{font-size:1.375rem;line-height:1.25}</style></head>
<body><main><h1>${title}</h1><p>${message}</p></main></body></html>
`;
}
