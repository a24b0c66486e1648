export { ACME_CAPABILITIES, createAcmeGateway, type AcmeGatewayOptions } from "./acme-gateway.js";
