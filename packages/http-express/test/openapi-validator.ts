import Ajv2020Import from "ajv/dist/2020.js";
import { type CallResult, type TestServer, call } from "./server-harness.js";

const Ajv2020 = Ajv2020Import as unknown as typeof Ajv2020Import.default;

/**
 * Headers of the transport (Node and Express set them on every response), not of this API: OpenAPI leaves
 * Content-Type to `content`, and the rest no client acts on.
 */
const TRANSPORT_HEADERS = new Set(["content-type", "content-length", "date", "connection", "keep-alive", "transfer-encoding", "etag", "x-powered-by"]);

/**
 * Validates responses against the OpenAPI document the router serves (JSON Schema 2020-12 inside OpenAPI 3.1): the
 * status, the content type, the body, and that every header the router sent is documented on that response.
 */
export function createResponseValidator(document: any) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const cache = new Map<string, ReturnType<typeof ajv.compile>>();
  const templates = Object.keys(document.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
  }));
  return (method: string, path: string, result: CallResult): void => {
    const pathname = new URL(path, "http://x").pathname;
    const match = templates.find((t) => t.pattern.test(pathname));
    if (!match) throw new Error(`no OpenAPI path for ${pathname}`);
    const operation = document.paths[match.template][method.toLowerCase()];
    if (!operation) throw new Error(`no OpenAPI operation ${method} ${match.template}`);
    const response = operation.responses[String(result.status)];
    if (!response) throw new Error(`status ${result.status} of ${method} ${match.template} is not documented`);
    const documented = new Set(Object.keys(response.headers ?? {}).map((name) => name.toLowerCase()));
    const undocumented = [...result.headers.keys()].filter((name) => !TRANSPORT_HEADERS.has(name) && !documented.has(name));
    if (undocumented.length) throw new Error(`header(s) ${undocumented.join(", ")} of ${method} ${match.template} ${result.status} are not documented`);
    const type = (result.headers.get("content-type") ?? "").split(";")[0]!.trim();
    const content = response.content?.[type];
    if (!content) throw new Error(`content type ${type} of ${method} ${match.template} ${result.status} is not documented`);
    if (type !== "application/json" || !content.schema) return;
    const id = `${method} ${match.template} ${result.status}`;
    let validate = cache.get(id);
    if (!validate) {
      validate = ajv.compile({ ...content.schema, components: document.components });
      cache.set(id, validate);
    }
    if (!validate(result.json)) throw new Error(`${id} does not match the OpenAPI document: ${ajv.errorsText(validate.errors)}\n${result.text.slice(0, 500)}`);
  };
}

/** A call to the test server whose every response is checked against the OpenAPI document it serves. */
export type ValidatedCall = (method: string, path: string, options?: Parameters<typeof call>[3]) => Promise<CallResult>;

/** Reads the document `server` serves once, then checks every answer of the caller it returns against it. */
export async function validatedCaller(server: TestServer): Promise<ValidatedCall> {
  const validate = createResponseValidator((await call(server, "GET", "/openapi.json")).json);
  return async (method, path, options = {}) => {
    const result = await call(server, method, path, options);
    validate(method, path, result);
    return result;
  };
}
