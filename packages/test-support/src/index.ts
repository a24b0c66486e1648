/** Shared, never-published helpers for the adapters' suites. Import the focused entry points (./postgres, ...). */
export { requireServiceInCi } from "./require-service.js";
