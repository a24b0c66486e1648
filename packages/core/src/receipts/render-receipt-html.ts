import type { LineItem } from "../domain/payment.js";
import type { Receipt } from "./receipt.js";
import { type ReceiptFormatter, createReceiptFormatter } from "./receipt-formatter.js";
import { type ReceiptPresentation, checkReceiptPresentation } from "./receipt-presentation.js";
import { taxLineRate } from "./receipt-tax-rate.js";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * Mobile first: the viewport follows the device; labels may wrap anywhere (a long unbroken description must not
 * widen the page) while amounts never wrap and keep their column, from 320 px phones to desktop widths.
 */
const STYLE = [
  "*,*::before,*::after{box-sizing:border-box}",
  "html{-webkit-text-size-adjust:100%;text-size-adjust:100%}",
  "body{margin:0;padding:1rem;font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2328;background:#fff}",
  "main{max-width:40rem;margin:0 auto}",
  ".merchant{font-weight:600;font-size:1.125rem;margin:0}",
  "address{font-style:normal;color:#57606a;margin:0 0 1rem}",
  "h1{font-size:1.375rem;line-height:1.25;margin:0 0 1rem;overflow-wrap:anywhere}h1 span{white-space:nowrap}",
  "dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.25rem 1rem;margin:0 0 1.25rem}",
  "dt{color:#57606a}dd{margin:0;overflow-wrap:anywhere}",
  "table{width:100%;border-collapse:collapse}",
  "td{padding:.5rem 0;border-bottom:1px solid #d8dee4;vertical-align:top}",
  "td.label{padding-right:1rem;overflow-wrap:anywhere}",
  "td.amount{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}",
  "tr.sum td{font-weight:600}",
  ".note{display:block;color:#57606a;font-size:.875rem;font-weight:400}",
  "footer{margin-top:1.5rem;color:#57606a;font-size:.875rem;overflow-wrap:anywhere}",
  "@media (min-width:40rem){body{padding:2rem}}",
].join("");

interface Row {
  label: string;
  note?: string | undefined;
  amount: string;
  sum: boolean;
}

function lineLabel(line: LineItem, format: ReceiptFormatter): string {
  const tax = taxLineRate(line);
  return tax ? `${tax.label} (${format.percent(tax.rate)})` : line.description;
}

function rows(receipt: Receipt, format: ReceiptFormatter): Row[] {
  const money = (amount: number) => format.money(amount, receipt.currency);
  const out: Row[] = receipt.lines.map((line) => ({
    label: lineLabel(line, format),
    amount: money(line.kind === "discount" ? -line.amount : line.amount),
    sum: false,
  }));
  out.push({ label: "Total", amount: money(receipt.total), sum: true });
  if (receipt.amountCaptured !== receipt.total) out.push({ label: "Captured", amount: money(receipt.amountCaptured), sum: true });
  // The customer needs the date and the reason of a refund; its internal id means nothing to them.
  for (const refund of receipt.refunds) {
    out.push({ label: "Refund", note: `${format.date(refund.at)} · ${refund.reason.replaceAll("_", " ")}`, amount: money(-refund.amount), sum: false });
  }
  if (receipt.refunds.length > 0) out.push({ label: "Net paid", amount: money(receipt.netPaid), sum: true });
  return out;
}

const STATUS_NOTES: Partial<Record<Receipt["status"], string>> = { partially_refunded: "Partly refunded", refunded: "Refunded" };

/**
 * A self-contained page a customer opens on any screen: inline styles, no scripts, no external assets, every
 * value escaped. Amounts and dates follow the presentation's locale and time zone; tax shows as a percentage.
 */
export function renderReceiptHtml(receipt: Receipt, presentation: ReceiptPresentation = {}): string {
  const view = checkReceiptPresentation(presentation);
  const format = createReceiptFormatter(view.locale, view.timeZone);
  const details: Array<[string, string]> = [["Date", format.dateTime(receipt.issuedAt)]];
  if (view.paymentMethod) {
    const { brand, last4 } = view.paymentMethod;
    details.push(["Paid with", last4 ? `${brand} •••• ${last4}` : brand]);
  }
  if (receipt.description) details.push(["For", receipt.description]);
  for (const [key, value] of Object.entries(receipt.references)) details.push([key, value]);
  const status = STATUS_NOTES[receipt.status];
  if (status) details.push(["Status", status]);

  const merchant = view.merchant
    ? `<p class="merchant">${escapeHtml(view.merchant.name)}</p>\n${
        view.merchant.address && view.merchant.address.length > 0
          ? `<address>${view.merchant.address.map(escapeHtml).join("<br>")}</address>\n`
          : ""
      }`
    : "";
  const table = rows(receipt, format)
    .map(
      (row) =>
        `<tr${row.sum ? ' class="sum"' : ""}><td class="label">${escapeHtml(row.label)}${
          row.note ? `<span class="note">${escapeHtml(row.note)}</span>` : ""
        }</td><td class="amount">${escapeHtml(row.amount)}</td></tr>`,
    )
    .join("\n");
  const title = `Receipt ${receipt.number}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(view.merchant ? `${title} · ${view.merchant.name}` : title)}</title>
<style>${STYLE}</style></head>
<body><main>
<header>
${merchant}<h1>Receipt <span>${escapeHtml(receipt.number)}</span></h1>
</header>
<dl>
${details.map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd>`).join("\n")}
</dl>
<table>
${table}
</table>
<footer>Payment reference ${escapeHtml(receipt.paymentId)}</footer>
</main></body></html>
`;
}
