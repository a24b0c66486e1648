import { afterAll, expect } from "vitest";
import { wireViolations } from "./stripe-wire-schema.js";

// Runs after every test file: whatever the Stripe fake sent during the file must be allowed by Stripe's published
// definition. A fake that drifts from Stripe fails here, not silently in the adapter's favour.
afterAll(() => {
  expect(wireViolations().violations).toEqual([]);
});
