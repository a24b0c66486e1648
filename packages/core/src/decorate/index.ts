export { decorateStore } from "./decorate-store.js";
export type { StoreDecoration } from "./decorate-store.js";
export { decorateGateway } from "./decorate-gateway.js";
