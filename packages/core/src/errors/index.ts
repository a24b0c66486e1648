export * from "./error-codes.js";
export * from "./payment-error.js";
