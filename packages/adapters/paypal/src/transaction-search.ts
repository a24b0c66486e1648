import type { PaymentsController, TransactionInformation, TransactionSearchController } from "@paypal/paypal-server-sdk";

/** PayPal refuses a search window longer than 31 days ("The maximum supported range is 31 days"). */
export const MAX_SEARCH_WINDOW_MS = 31 * 24 * 3600 * 1000;
const PAGE_SIZE = 500;

type Call = <T>(operation: string, run: () => Promise<{ result: T }>) => Promise<T>;

/**
 * Finds our payments through the Transaction Search (reporting) API. Orders v2 has no search, and custom_id is not a
 * search filter, so we list the transactions of a window and match `custom_field` (PayPal reports the purchase
 * unit's custom_id there). A row is a capture (event code T0006) or an authorization (T13xx); its order id comes
 * from the capture or authorization's `supplementary_data.related_ids`.
 *
 * Limits, by PayPal's design: an order that was never approved moved no money and appears nowhere; PayPal documents
 * that new transactions can take up to three hours to appear in reporting.
 */
export class PayPalTransactionSearch {
  constructor(
    private readonly search: TransactionSearchController,
    private readonly payments: PaymentsController,
    private readonly call: Call,
  ) {}

  /** Capture and authorization rows initiated in [since, until], window by window, page by page. */
  async *paymentRows(since: Date, until: Date): AsyncGenerator<TransactionInformation> {
    for (let start = since.getTime(); start < until.getTime(); start += MAX_SEARCH_WINDOW_MS) {
      const end = Math.min(start + MAX_SEARCH_WINDOW_MS, until.getTime());
      for (let page = 1; ; page++) {
        const response = await this.call("transaction search", () =>
          this.search.searchTransactions({
            startDate: new Date(start).toISOString(),
            endDate: new Date(end).toISOString(),
            fields: "transaction_info",
            // Authorizations are not balance-affecting; without "N" a manual-capture payment would be invisible.
            balanceAffectingRecordsOnly: "N",
            pageSize: PAGE_SIZE,
            page,
          }),
        );
        for (const detail of response.transactionDetails ?? []) {
          const info = detail.transactionInfo;
          if (info?.transactionId && isPaymentRow(info.transactionEventCode)) yield info;
        }
        if (page >= (response.totalPages ?? 1)) break;
      }
    }
  }

  /** The Orders v2 order a capture or authorization row belongs to. */
  async orderIdOf(row: TransactionInformation): Promise<string | null> {
    const id = row.transactionId!;
    if (row.transactionEventCode?.startsWith("T13")) {
      const authorization = await this.call("get authorization", () =>
        this.payments.getAuthorizedPayment({ authorizationId: id }),
      );
      return authorization.supplementaryData?.relatedIds?.orderId ?? null;
    }
    const capture = await this.call("get capture", () => this.payments.getCapturedPayment({ captureId: id }));
    return capture.supplementaryData?.relatedIds?.orderId ?? null;
  }
}

/** T0006: payment through the Checkout APIs (a capture). T1300–T1399: authorizations (T1302 is a void, skipped). */
function isPaymentRow(code: string | undefined): boolean {
  return code === "T0006" || (code !== undefined && code.startsWith("T13") && code !== "T1302");
}
