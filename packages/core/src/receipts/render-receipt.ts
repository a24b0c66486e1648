import { formatMoney } from "../money/money.js";
import type { Receipt } from "./receipt.js";

export type ReceiptFormat = "json" | "text" | "html";

function rows(receipt: Receipt): Array<[string, string]> {
  const out: Array<[string, string]> = receipt.lines.map((l) => [
    l.description,
    formatMoney(l.kind === "discount" ? -l.amount : l.amount, receipt.currency),
  ]);
  out.push(["Total", formatMoney(receipt.total, receipt.currency)]);
  if (receipt.amountCaptured !== receipt.total) out.push(["Captured", formatMoney(receipt.amountCaptured, receipt.currency)]);
  for (const refund of receipt.refunds) {
    out.push([`Refund ${refund.id} (${refund.reason})`, formatMoney(-refund.amount, receipt.currency)]);
  }
  if (receipt.refunds.length > 0) out.push(["Net paid", formatMoney(receipt.netPaid, receipt.currency)]);
  return out;
}

export function renderReceiptText(receipt: Receipt): string {
  const table = rows(receipt);
  const width = Math.max(...table.map(([label, value]) => label.length + value.length + 2), 40);
  const line = "-".repeat(width);
  const header = [
    `RECEIPT ${receipt.number}`,
    `Payment ${receipt.paymentId}`,
    `Issued  ${receipt.issuedAt}`,
    ...(receipt.description ? [`For     ${receipt.description}`] : []),
    ...Object.entries(receipt.references).map(([k, v]) => `${k.padEnd(7)} ${v}`),
  ];
  const body = table.map(([label, value]) => `${label}${" ".repeat(width - label.length - value.length)}${value}`);
  return [...header, line, ...body.slice(0, receipt.lines.length), line, ...body.slice(receipt.lines.length), ""].join("\n");
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** A self-contained page: inline styles, no scripts, no external assets; every value escaped. */
export function renderReceiptHtml(receipt: Receipt): string {
  const body = rows(receipt)
    .map(([label, value], i) => {
      const cls = i >= receipt.lines.length ? ' class="sum"' : "";
      return `<tr${cls}><td>${escapeHtml(label)}</td><td class="amt">${escapeHtml(value)}</td></tr>`;
    })
    .join("\n");
  const refs = Object.entries(receipt.references)
    .map(([k, v]) => `<div>${escapeHtml(k)}: ${escapeHtml(v)}</div>`)
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Receipt ${escapeHtml(receipt.number)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;color:#222}
table{width:100%;border-collapse:collapse}td{padding:.3rem 0;border-bottom:1px solid #eee}
td.amt{text-align:right;font-variant-numeric:tabular-nums}tr.sum td{font-weight:600}</style></head>
<body><h1>Receipt ${escapeHtml(receipt.number)}</h1>
<p>Payment ${escapeHtml(receipt.paymentId)}<br>Issued ${escapeHtml(receipt.issuedAt)}${
    receipt.description ? `<br>${escapeHtml(receipt.description)}` : ""
  }</p>${refs}
<table>
${body}
</table></body></html>
`;
}

export function renderReceipt(receipt: Receipt, format: ReceiptFormat): string {
  if (format === "json") return `${JSON.stringify(receipt, null, 2)}\n`;
  return format === "text" ? renderReceiptText(receipt) : renderReceiptHtml(receipt);
}
