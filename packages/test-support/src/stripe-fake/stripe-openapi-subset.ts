import subset from "./stripe-openapi-subset.json" with { type: "json" };

/**
 * Stripe's OpenAPI definition (stripe/openapi, MIT), trimmed by trim-stripe-openapi.mjs to the endpoints this fake
 * serves and the objects it sends. OpenAPI 3.0 schemas: `nullable`, and `#/components/schemas/<name>` references
 * that resolve into `schemas`.
 */
export const stripeOpenApiSubset: {
  source: string;
  licence: string;
  apiVersion: string | null;
  paths: Record<string, Record<string, unknown>>;
  schemas: Record<string, unknown>;
} = subset;
