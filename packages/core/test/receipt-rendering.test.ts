import { describe, expect, it } from "vitest";
import { quoteFare } from "../src/fares/quote-fare.js";
import { createReceiptFormatter } from "../src/receipts/receipt-formatter.js";
import { checkReceiptPresentation } from "../src/receipts/receipt-presentation.js";
import { receiptTaxRate, taxLineRate } from "../src/receipts/receipt-tax-rate.js";
import { renderReceiptHtml } from "../src/receipts/render-receipt-html.js";
import { renderReceiptText } from "../src/receipts/render-receipt.js";
import { ctx, setup } from "./helpers.js";

const TARIFF = { name: "city", currency: "USD", baseFare: 250, perKm: 120, perMinute: 30, minimumFare: 700, bookingFee: 99, taxRate: "0.0875" };

async function refundedFareReceipt() {
  const { service, clock } = setup();
  const quote = service.quoteFare(TARIFF, { distanceMeters: 5400, durationSeconds: 780 });
  const { payment } = await service.createPayment(
    { owner: "u", amount: quote.total, currency: "USD", lineItems: quote.lines, description: "Ride <downtown>", references: { booking: "bk_7" } },
    ctx("c"),
  );
  await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("p"));
  clock.advance(2 * 86_400_000);
  const { refund } = await service.refundPayment(payment.id, { amount: 100, reason: "requested_by_customer" }, ctx("r", "admin"));
  return { receipt: await service.getReceipt(payment.id), refund, quote };
}

describe("receipt amounts, dates and rates for a locale", () => {
  it("formats money from the integer minor units with the currency's ISO exponent, for the locale", () => {
    const en = createReceiptFormatter("en-US", "UTC");
    expect(en.money(375, "USD")).toBe("$3.75");
    expect(en.money(-375, "USD")).toBe("-$3.75");
    expect(en.money(1500, "JPY")).toBe("¥1,500");
    // ISO gives IQD three decimals where Intl's own table gives none: the ISO exponent wins.
    expect(en.money(1234, "IQD")).toBe("IQD\u00a01.234");
    expect(en.money(1001, "KWD")).toBe("KWD\u00a01.001");
    // 2^53 - 1 cents: every digit survives, which a float division by 100 would not guarantee.
    expect(en.money(Number.MAX_SAFE_INTEGER, "USD")).toBe("$90,071,992,547,409.91");
    const de = createReceiptFormatter("de-DE", "Europe/Berlin");
    expect(de.money(123456, "EUR")).toBe("1.234,56\u00a0€");
    expect(createReceiptFormatter("fr-FR", "UTC").money(375, "USD")).toBe("3,75\u00a0$US");
  });

  it("refuses a fractional or unsafe amount rather than formatting it", () => {
    const en = createReceiptFormatter("en-US", "UTC");
    expect(() => en.money(3.75, "USD")).toThrow(expect.objectContaining({ code: "invalid_amount" }));
    expect(() => en.money(2 ** 53, "USD")).toThrow(expect.objectContaining({ code: "invalid_amount" }));
  });

  it("writes dates in the receipt's time zone, not the server's, and rates as exact percentages", () => {
    const paris = createReceiptFormatter("fr-FR", "Europe/Paris");
    expect(paris.dateTime("2026-03-01T23:30:00.000Z")).toBe("2 mars 2026 à 00:30 UTC+1");
    const ny = createReceiptFormatter("en-US", "America/New_York");
    expect(ny.dateTime("2026-03-01T03:30:00.000Z")).toBe("February 28, 2026 at 10:30 PM EST");
    expect(ny.percent("0.0875")).toBe("8.75%");
    expect(ny.percent("0.123456789012345678")).toBe("12.3456789012345678%");
    expect(createReceiptFormatter("de-DE", "UTC").percent("0.19")).toBe("19\u00a0%");
  });
});

describe("receipt tax rate", () => {
  it("reads the rate back from the fare's tax line, exactly as the tariff wrote it", () => {
    const quote = quoteFare(TARIFF, { distanceMeters: 5400, durationSeconds: 780 });
    const taxLine = quote.lines.find((line) => line.kind === "tax");
    expect(taxLine && taxLineRate(taxLine)).toEqual({ label: "Tax", rate: "0.0875" });
    expect(receiptTaxRate(quote.lines)).toBe("0.0875");
  });

  it("names no rate when there is no tax line, one without a rate, or two different rates", () => {
    const tax = (description: string) => ({ code: "tax", description, amount: 10, kind: "tax" as const });
    expect(receiptTaxRate([{ code: "a", description: "A (1)", amount: 5 }])).toBeNull();
    expect(receiptTaxRate([tax("VAT")])).toBeNull();
    expect(receiptTaxRate([tax("State tax (0.05)"), tax("City tax (0.02)")])).toBeNull();
    expect(receiptTaxRate([tax("State tax (0.05)"), tax("Other (0.05)")])).toBe("0.05");
  });
});

describe("receipt HTML a customer opens", () => {
  it("is laid out for phones, with the merchant, payment method, localized amounts, tax as a percentage and no refund ids", async () => {
    const { receipt, refund } = await refundedFareReceipt();
    expect(receipt.taxRate).toBe("0.0875");
    const html = renderReceiptHtml(receipt, {
      locale: "en-US",
      timeZone: "America/Los_Angeles",
      merchant: { name: "Ride & Co", address: ["1 Market St", "San Francisco, CA 94105"] },
      paymentMethod: { brand: "Visa", last4: "4242" },
    });
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain("Ride &amp; Co");
    expect(html).toContain("1 Market St<br>San Francisco, CA 94105");
    expect(html).toContain("Visa •••• 4242");
    expect(html).toContain("Tax (8.75%)");
    expect(html).not.toContain("0.0875");
    expect(html).toContain("March 1, 2026 at 2:00 AM PST");
    expect(html).toContain(`<td class="amount">${createReceiptFormatter("en-US", "UTC").money(receipt.total, "USD")}</td>`);
    expect(html).toContain('<td class="amount">-$1.00</td>');
    expect(html).toContain("Mar 3, 2026 · requested by customer");
    expect(html).not.toContain(refund.id);
    expect(html).not.toContain("USD ");
    expect(html).toContain("Ride &lt;downtown&gt;");
    expect(html).not.toMatch(/<script|<link|src=/);
  });

  it("keeps the JSON receipt's fields and adds the tax rate", async () => {
    const { receipt, refund } = await refundedFareReceipt();
    expect(Object.keys(receipt).sort()).toEqual(
      ["amountCaptured", "amountRefunded", "currency", "customerEmail", "description", "issuedAt", "lines", "netPaid", "number", "paymentId", "references", "refunds", "status", "subtotal", "tax", "taxRate", "total"].sort(),
    );
    expect(receipt.refunds).toEqual([{ id: refund.id, amount: 100, reason: "requested_by_customer", at: refund.updatedAt }]);
  });

  it("keeps internal refund ids off the text receipt too", async () => {
    const { receipt, refund } = await refundedFareReceipt();
    const text = renderReceiptText(receipt);
    expect(text).toContain("Refund 2026-03-03 (requested_by_customer)");
    expect(text).not.toContain(refund.id);
  });

  it("refuses a payment method whose last four is anything but four digits, so a card number is never printed", () => {
    for (const last4 of ["4242424242424242", "424", "42a2", " 4242"]) {
      expect(() => checkReceiptPresentation({ paymentMethod: { brand: "Visa", last4 } }), last4).toThrow(
        expect.objectContaining({ code: "configuration_error" }),
      );
    }
    expect(checkReceiptPresentation({ paymentMethod: { brand: "PayPal" } }).paymentMethod).toEqual({ brand: "PayPal" });
  });

  it("refuses a locale or time zone Intl does not know, instead of silently printing UTC", () => {
    expect(() => checkReceiptPresentation({ locale: "not a locale" })).toThrow(expect.objectContaining({ code: "configuration_error" }));
    expect(() => checkReceiptPresentation({ timeZone: "Mars/Olympus" })).toThrow(expect.objectContaining({ code: "configuration_error" }));
    expect(checkReceiptPresentation({})).toMatchObject({ locale: "en-US", timeZone: "UTC", merchant: null, paymentMethod: null });
  });
});
