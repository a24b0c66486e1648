import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContextOptions, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LINK_SECRET, type RouterOverService, mountRouter, sharedService } from "../receipt-link-server.js";
import { token } from "../server-harness.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = process.env.RECEIPT_SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), "receipt-shots-"));

/** Phones get mobile emulation, so the page's viewport meta decides the layout width exactly as on a device. */
const SCREENS: ReadonlyArray<{ name: string; options: BrowserContextOptions }> = [
  { name: "320", options: { viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } },
  { name: "375", options: { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } },
  { name: "1280", options: { viewport: { width: 1280, height: 800 } } },
];

/** A receipt made to stress the layout: long unbroken text, big amounts, a discount, tax and several refunds. */
const LONG_WORD = "Airport-transfer-with-extra-luggage-AX7Q9Z2K4M8PBX7Q9Z2K4M8PCX7Q9Z2K4M8PDX7Q9Z2K4M8P";
const RECEIPTS = [
  {
    name: "usd",
    currency: "USD",
    receipts: { locale: "en-US", timeZone: "America/Los_Angeles", merchant: { name: "Ride & Co. Transportation Services International", address: ["1 Market Street, Suite 4100", "San Francisco, CA 94105"] } },
    lines: [
      { code: "base", description: "Base fare", amount: 1_234_567_890 },
      { code: "long", description: LONG_WORD, amount: 98_765_432 },
      { code: "promo", description: "Promotion", amount: 100_000, kind: "discount" as const },
      { code: "tax", description: "Tax (0.0875)", amount: 116_614_460, kind: "tax" as const },
    ],
    refunds: [150_000, 2_345_678],
  },
  {
    name: "kwd-de",
    currency: "KWD",
    receipts: { locale: "de-DE", timeZone: "Asia/Kuwait", merchant: { name: "Wüstenfahrt GmbH", address: ["Königsallee 1", "40212 Düsseldorf"] } },
    lines: [
      { code: "base", description: "Grundpreis", amount: 987_654_321 },
      { code: "tax", description: "MwSt. (0.19)", amount: 187_654_321, kind: "tax" as const },
    ],
    refunds: [1_001],
  },
];

interface AmountCell {
  text: string;
  left: number;
  right: number;
  lines: number;
  clipped: boolean;
}

interface Layout {
  innerWidth: number;
  scrollWidth: number;
  amounts: AmountCell[];
}

/** The little of the DOM the measurement touches, typed here so the suite compiles without the DOM library. */
interface PageBox {
  left: number;
  right: number;
  top: number;
}
interface PageElement {
  textContent: string | null;
  scrollWidth: number;
  clientWidth: number;
  getBoundingClientRect(): PageBox;
}
interface PageWindow {
  innerWidth: number;
  document: {
    documentElement: { scrollWidth: number };
    querySelectorAll(selector: string): ArrayLike<PageElement>;
    createRange(): { selectNodeContents(node: PageElement): void; getClientRects(): ArrayLike<PageBox> };
  };
}

/** Runs in the page: the layout width, the page's full width, and where each amount cell's text lies. */
function measureLayout(): Layout {
  const page = globalThis as unknown as PageWindow;
  const cells = Array.from(page.document.querySelectorAll("td.amount"));
  return {
    innerWidth: page.innerWidth,
    scrollWidth: page.document.documentElement.scrollWidth,
    amounts: cells.map((cell) => {
      const box = cell.getBoundingClientRect();
      const range = page.document.createRange();
      range.selectNodeContents(cell);
      // One line of text: every fragment of the cell's text sits on the same line box.
      const tops = new Set(Array.from(range.getClientRects()).map((rect) => Math.round(rect.top)));
      return { text: cell.textContent ?? "", left: box.left, right: box.right, lines: tops.size, clipped: cell.scrollWidth > cell.clientWidth };
    }),
  };
}

function pngWidth(path: string): number {
  // A PNG's IHDR chunk holds the width at byte 16, big-endian.
  return readFileSync(path).readUInt32BE(16);
}

let browser: Browser;
const routers: RouterOverService[] = [];
const links = new Map<string, string>();

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run .ci/checks/receipt-browser.sh, which installs it`);
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  for (const sample of RECEIPTS) {
    const service = sharedService();
    const amount = sample.lines.reduce((sum, line) => sum + (line.kind === "discount" ? -line.amount : line.amount), 0);
    const ctx = (key: string, scope = "alice") => ({ scope, idempotencyKey: `${sample.name}-${key}` });
    const { payment } = await service.createPayment(
      { owner: "alice", amount, currency: sample.currency, lineItems: sample.lines, description: `Trip ${LONG_WORD}`, references: { booking: `bk_${LONG_WORD}` } },
      ctx("c"),
    );
    await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("p"));
    for (const [i, refund] of sample.refunds.entries()) await service.refundPayment(payment.id, { amount: refund, reason: "requested_by_customer" }, ctx(`r${i}`, "admin"));
    const mounted = await mountRouter(service, { receipts: { ...sample.receipts, paymentMethod: () => ({ brand: "Mastercard", last4: "5100" }), links: { secrets: [LINK_SECRET] } } });
    routers.push(mounted);
    const response = await fetch(`${mounted.base}/api/payments/${payment.id}/receipt-link`, { method: "POST", headers: { authorization: `Bearer ${await token("alice")}` } });
    const { path } = (await response.json()) as { path: string };
    if (!path.startsWith("/api/receipts/ey")) throw new Error(`the link is not GET /receipts/:token: ${path}`);
    links.set(sample.name, `${mounted.base}${path}`);
  }
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(routers.map((mounted) => mounted.close()));
});

describe("the receipt page a customer opens, in headless Chromium", () => {
  for (const sample of RECEIPTS) {
    for (const screen of SCREENS) {
      it(`${sample.name} at ${screen.name} px: no horizontal overflow, every amount whole and on one line`, async () => {
        const context = await browser.newContext(screen.options);
        try {
          const page = await context.newPage();
          const response = await page.goto(links.get(sample.name)!);
          expect(response?.status()).toBe(200);
          const shot = join(SHOTS, `receipt-${sample.name}-${screen.name}.png`);
          await page.screenshot({ path: shot, fullPage: true });
          const layout = await page.evaluate(measureLayout);
          // The layout viewport is the device's width (the viewport meta is honoured), and nothing is wider.
          expect(layout.innerWidth).toBe(screen.options.viewport!.width);
          expect(layout.scrollWidth).toBeLessThanOrEqual(layout.innerWidth);
          expect(pngWidth(shot)).toBe(layout.innerWidth * (screen.options.deviceScaleFactor ?? 1));
          expect(layout.amounts.length).toBe(sample.lines.length + 1 + sample.refunds.length + 1);
          for (const cell of layout.amounts) {
            expect(cell, cell.text).toMatchObject({ lines: 1, clipped: false });
            expect(cell.left, cell.text).toBeGreaterThanOrEqual(0);
            expect(cell.right, cell.text).toBeLessThanOrEqual(layout.innerWidth);
          }
        } finally {
          await context.close();
        }
      });
    }
  }
});
