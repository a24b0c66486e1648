import { formatMoney } from "../money/money.js";
import type { Receipt } from "./receipt.js";
import { renderReceiptHtml } from "./render-receipt-html.js";
import type { ReceiptPresentation } from "./receipt-presentation.js";

export type ReceiptFormat = "json" | "text" | "html";

function rows(receipt: Receipt): Array<[string, string]> {
  const out: Array<[string, string]> = receipt.lines.map((l) => [
    l.description,
    formatMoney(l.kind === "discount" ? -l.amount : l.amount, receipt.currency),
  ]);
  out.push(["Total", formatMoney(receipt.total, receipt.currency)]);
  if (receipt.amountCaptured !== receipt.total) out.push(["Captured", formatMoney(receipt.amountCaptured, receipt.currency)]);
  for (const refund of receipt.refunds) {
    // A refund's internal id means nothing to the customer reading the receipt; its reason and date do.
    out.push([`Refund ${refund.at.slice(0, 10)} (${refund.reason})`, formatMoney(-refund.amount, receipt.currency)]);
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

/** `presentation` (locale, time zone, merchant, payment method) shapes the HTML page; JSON and text ignore it. */
export function renderReceipt(receipt: Receipt, format: ReceiptFormat, presentation?: ReceiptPresentation): string {
  if (format === "json") return `${JSON.stringify(receipt, null, 2)}\n`;
  return format === "text" ? renderReceiptText(receipt) : renderReceiptHtml(receipt, presentation);
}
