/**
 * The wire objects the fake keeps, shaped like Stripe's canonical fixtures (spec-facts.json). Fields the fake does
 * not model are present with Stripe's empty values so that clients reading them see the real shape.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface FakePaymentIntent {
  [key: string]: Json;
  id: string;
  object: "payment_intent";
  amount: number;
  amount_capturable: number;
  amount_received: number;
  capture_method: string;
  client_secret: string;
  created: number;
  currency: string;
  status: string;
  metadata: Record<string, string>;
  latest_charge: string | null;
  last_payment_error: { [key: string]: Json } | null;
  next_action: { [key: string]: Json } | null;
  payment_method: string | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
}

export interface FakeCharge {
  [key: string]: Json;
  id: string;
  object: "charge";
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  refunded: boolean;
  currency: string;
  status: string;
  payment_intent: string;
  created: number;
  metadata: Record<string, string>;
}

export interface FakeRefund {
  [key: string]: Json;
  id: string;
  object: "refund";
  amount: number;
  charge: string;
  currency: string;
  payment_intent: string;
  status: string;
  reason: string | null;
  created: number;
  metadata: Record<string, string>;
}

export interface FakeEvent {
  [key: string]: Json;
  id: string;
  object: "event";
  type: string;
  created: number;
  data: { object: { [key: string]: Json } };
}

export interface FakeDispute {
  [key: string]: Json;
  id: string;
  object: "dispute";
  amount: number;
  charge: string;
  currency: string;
  payment_intent: string | null;
  reason: string;
  status: string;
  created: number;
}

export interface FakePaymentMethod {
  [key: string]: Json;
  id: string;
  object: "payment_method";
  type: string;
  created: number;
  /** The customer it is attached to (saved for), or null. */
  customer: string | null;
}

export interface FakeCustomer {
  [key: string]: Json;
  id: string;
  object: "customer";
  created: number;
  email: string | null;
  name: string | null;
  metadata: Record<string, string>;
}

export interface FakeSetupIntent {
  [key: string]: Json;
  id: string;
  object: "setup_intent";
  client_secret: string;
  created: number;
  customer: string | null;
  last_setup_error: { [key: string]: Json } | null;
  metadata: Record<string, string>;
  next_action: { [key: string]: Json } | null;
  payment_method: string | null;
  status: string;
  usage: string;
}

export function newPaymentIntent(fields: {
  id: string;
  secret: string;
  amount: number;
  currency: string;
  captureMethod: string;
  created: number;
  metadata: Record<string, string>;
  description: string | null;
  customer: string | null;
  receiptEmail: string | null;
  paymentMethod: string | null;
  automaticPaymentMethods: { [key: string]: Json } | null;
}): FakePaymentIntent {
  return {
    id: fields.id,
    object: "payment_intent",
    amount: fields.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: fields.automaticPaymentMethods,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: fields.captureMethod,
    client_secret: `${fields.id}_secret_${fields.secret}`,
    confirmation_method: "automatic",
    created: fields.created,
    currency: fields.currency,
    customer: fields.customer,
    description: fields.description,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: fields.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: fields.paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: { card: { request_three_d_secure: "automatic" } },
    payment_method_types: ["card"],
    processing: null,
    receipt_email: fields.receiptEmail,
    review: null,
    setup_future_usage: null,
    shipping: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: fields.paymentMethod === null ? "requires_payment_method" : "requires_confirmation",
    transfer_data: null,
    transfer_group: null,
    source: null,
    excluded_payment_method_types: null,
    customer_account: null,
    managed_payments: { enabled: false },
  };
}

export function newCharge(fields: {
  id: string;
  paymentIntent: FakePaymentIntent;
  created: number;
  brand: string;
  last4: string;
  captured: boolean;
  failed: { code: string; message: string } | null;
  captureBefore: number | null;
}): FakeCharge {
  const pi = fields.paymentIntent;
  const succeeded = fields.failed === null;
  return {
    id: fields.id,
    object: "charge",
    amount: pi.amount,
    amount_captured: succeeded && fields.captured ? pi.amount : 0,
    amount_refunded: 0,
    balance_transaction: null,
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    captured: succeeded && fields.captured,
    created: fields.created,
    currency: pi.currency,
    customer: pi.customer ?? null,
    description: pi.description ?? null,
    disputed: false,
    failure_code: fields.failed?.code ?? null,
    failure_message: fields.failed?.message ?? null,
    livemode: false,
    metadata: { ...pi.metadata },
    outcome: {
      network_status: succeeded ? "approved_by_network" : "declined_by_network",
      reason: null,
      type: succeeded ? "authorized" : "issuer_declined",
    },
    paid: succeeded,
    payment_intent: pi.id,
    payment_method: pi.payment_method,
    payment_method_details: {
      type: "card",
      card: {
        brand: fields.brand,
        last4: fields.last4,
        country: "US",
        exp_month: 12,
        exp_year: 2034,
        funding: "credit",
        network: fields.brand,
        capture_before: fields.captureBefore,
      },
    },
    receipt_email: pi.receipt_email ?? null,
    refunded: false,
    status: succeeded ? "succeeded" : "failed",
  };
}

export function newRefund(fields: {
  id: string;
  charge: FakeCharge;
  amount: number;
  reason: string | null;
  metadata: Record<string, string>;
  created: number;
  status: string;
}): FakeRefund {
  return {
    id: fields.id,
    object: "refund",
    amount: fields.amount,
    balance_transaction: null,
    charge: fields.charge.id,
    created: fields.created,
    currency: fields.charge.currency,
    destination_details: { card: { type: "refund" }, type: "card" },
    metadata: fields.metadata,
    payment_intent: fields.charge.payment_intent,
    reason: fields.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: fields.status,
    transfer_reversal: null,
    customer: null,
    customer_account: null,
    payment_method: (fields.charge.payment_method as string | null) ?? null,
  };
}

/** A card PaymentMethod as Stripe returns it (inside a card error's `payment_method`, for one). */
export function newPaymentMethod(fields: { id: string; brand: string; last4: string; created: number; customer?: string | null }): FakePaymentMethod {
  return {
    id: fields.id,
    object: "payment_method",
    allow_redisplay: "unspecified",
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    card: {
      brand: fields.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "unchecked" },
      country: "US",
      display_brand: fields.brand,
      exp_month: 12,
      exp_year: 2034,
      fingerprint: null,
      funding: "credit",
      generated_from: null,
      last4: fields.last4,
      networks: { available: [fields.brand], preferred: null },
      regulated_status: "unregulated",
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: fields.created,
    customer: fields.customer ?? null,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: "card",
  };
}

/** A Customer as Stripe returns it: what the fake models (email, name, metadata) and Stripe's empty values for the rest. */
export function newCustomer(fields: {
  id: string;
  created: number;
  email: string | null;
  name: string | null;
  description: string | null;
  metadata: Record<string, string>;
}): FakeCustomer {
  return {
    id: fields.id,
    object: "customer",
    address: null,
    balance: 0,
    created: fields.created,
    currency: null,
    default_source: null,
    delinquent: false,
    description: fields.description,
    discount: null,
    email: fields.email,
    invoice_prefix: fields.id.slice(4, 12).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: fields.metadata,
    name: fields.name,
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: "none",
    test_clock: null,
  };
}

/** A SetupIntent as Stripe returns it, before confirmation. */
export function newSetupIntent(fields: {
  id: string;
  secret: string;
  created: number;
  customer: string | null;
  paymentMethod: string | null;
  usage: string;
  metadata: Record<string, string>;
  description: string | null;
}): FakeSetupIntent {
  return {
    id: fields.id,
    object: "setup_intent",
    application: null,
    automatic_payment_methods: null,
    cancellation_reason: null,
    client_secret: `${fields.id}_secret_${fields.secret}`,
    created: fields.created,
    customer: fields.customer,
    description: fields.description,
    flow_directions: null,
    last_setup_error: null,
    latest_attempt: null,
    livemode: false,
    mandate: null,
    metadata: fields.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: fields.paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: { card: { mandate_options: null, network: null, request_three_d_secure: "automatic" } },
    payment_method_types: ["card"],
    single_use_mandate: null,
    status: fields.paymentMethod === null ? "requires_payment_method" : "requires_confirmation",
    usage: fields.usage,
  };
}

/** Every evidence field Stripe's dispute carries, empty: a new dispute has none submitted. */
const EMPTY_EVIDENCE_FIELDS = [
  "access_activity_log",
  "billing_address",
  "cancellation_policy",
  "cancellation_policy_disclosure",
  "cancellation_rebuttal",
  "customer_communication",
  "customer_email_address",
  "customer_name",
  "customer_purchase_ip",
  "customer_signature",
  "duplicate_charge_documentation",
  "duplicate_charge_explanation",
  "duplicate_charge_id",
  "product_description",
  "receipt",
  "refund_policy",
  "refund_policy_disclosure",
  "refund_refusal_explanation",
  "service_date",
  "service_documentation",
  "shipping_address",
  "shipping_carrier",
  "shipping_date",
  "shipping_documentation",
  "shipping_tracking_number",
  "uncategorized_file",
  "uncategorized_text",
] as const;

export function newDispute(fields: {
  id: string;
  charge: FakeCharge;
  reason: string;
  created: number;
  dueBy: number;
  /** Stripe's pre-chargeback inquiry: its own statuses (`warning_*`) and card case type. */
  inquiry: boolean;
}): FakeDispute {
  const card = (fields.charge.payment_method_details as { card?: { brand?: Json } } | null)?.card;
  return {
    id: fields.id,
    object: "dispute",
    amount: fields.charge.amount_captured,
    balance_transactions: [],
    charge: fields.charge.id,
    created: fields.created,
    currency: fields.charge.currency,
    enhanced_eligibility_types: [],
    evidence: { ...Object.fromEntries(EMPTY_EVIDENCE_FIELDS.map((field) => [field, null])), enhanced_evidence: {} },
    evidence_details: {
      due_by: fields.dueBy,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: fields.charge.payment_intent,
    payment_method_details: { card: { brand: card?.brand ?? "visa", case_type: fields.inquiry ? "inquiry" : "chargeback", network_reason_code: null }, type: "card" },
    reason: fields.reason,
    status: fields.inquiry ? "warning_needs_response" : "needs_response",
  };
}
