import { configurationError } from "@org/payments-core";

/** Reads `?schema=` off a connection URL: pg would pass an unknown parameter to the server, which rejects it. */
export function splitSchemaFromUrl(connectionString: string): { connectionString: string; schema: string | undefined } {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    // Not a URL (e.g. a libpq keyword string): nothing to strip.
    return { connectionString, schema: undefined };
  }
  const schema = url.searchParams.get("schema") ?? undefined;
  if (schema === undefined) return { connectionString, schema: undefined };
  url.searchParams.delete("schema");
  return { connectionString: url.toString(), schema: schema === "" ? undefined : schema };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * A schema name as a quoted identifier. Names are restricted to letters, digits and underscores (at most 63, the
 * server's limit), so the quoted form never needs escaping and can also travel in the startup `options`.
 */
export function quoteSchema(schema: string): string {
  if (!IDENTIFIER.test(schema)) {
    throw configurationError(`schema ${JSON.stringify(schema)} must be letters, digits and underscores (at most 63), not starting with a digit`, {
      option: "schema",
    });
  }
  return `"${schema}"`;
}
