/**
 * Builds the INSERT … SELECT that copies one service-written row once per seed key: every column's value is the
 * template's, with the per-payment tokens in it (ULIDs, idempotency keys, owner, reference, receipt number,
 * provider ids) replaced by the copy's own, and its times replaced by the copy's. The template's text is cut at
 * the tokens once, here, so the database only concatenates: no search over large JSON per copied row.
 */

export type ColumnKind = "serial" | "timestamp" | "text" | "json" | "number" | "boolean";
export interface ColumnInfo {
  name: string;
  kind: ColumnKind;
}

/** Placeholders in the templates' rows: the owner, keys and reference the templates were made with. */
export const TEMPLATE_OWNER = "seedowner";
export const TEMPLATE_KEY = "seedtpl";
export const TEMPLATE_REF = "seedref";

// A ULID body, a simulated provider id, a receipt number, and the literal placeholders.
const TOKEN = new RegExp(`[0-9A-HJKMNP-TV-Z]{26}|sim_(?:[a-z]{2}_)?[0-9a-f]+|R-\\d{4}-\\d{6}|${TEMPLATE_OWNER}|${TEMPLATE_KEY}|${TEMPLATE_REF}`, "g");

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

function tokenExpression(token: string): string {
  if (token === TEMPLATE_OWNER) return "k.owner";
  if (token === TEMPLATE_KEY) return "k.tag";
  if (token === TEMPLATE_REF) return "k.ref";
  if (token.startsWith("R-")) return `'R-' || k.tag`;
  if (token.startsWith("sim_")) return `${literal(token.replace(/[0-9a-f]+$/, ""))} || k.tag || ${literal(token.slice(-4))}`;
  // A ULID: the copy's head, the template's last 6 characters (so a payment's several ids stay distinct).
  return `k.tag || ${literal(token.slice(20))}`;
}

/** The SQL of a text value with its tokens replaced. */
export function substituted(text: string): string {
  const parts: string[] = [];
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    if (match.index > last) parts.push(literal(text.slice(last, match.index)));
    parts.push(`(${tokenExpression(match[0])})`);
    last = match.index + match[0].length;
  }
  if (last < text.length || parts.length === 0) parts.push(literal(text.slice(last)));
  return parts.join(" || ");
}

function timeExpression(column: string, table: string): string {
  if (column === "expires_at") return "k.expires_at";
  if (column === "authorization_expires_at") return "k.auth_expires_at";
  if (table === "outbox" && column === "delivered_at") return "CASE WHEN k.backlog = 1 THEN NULL ELSE k.updated_at END";
  if (column === "updated_at" || column === "delivered_at" || column === "processed_at") return "k.updated_at";
  return "k.created_at";
}

export function copyStatement(options: {
  table: string;
  columns: readonly ColumnInfo[];
  row: Record<string, unknown>;
  template: number;
  dialect: "sqlite" | "postgres";
}): string {
  const { table, row, dialect } = options;
  const columns = options.columns.filter((c) => c.kind !== "serial");
  const expressions = columns.map(({ name, kind }) => {
    const value = row[name];
    if (table === "outbox" && name === "status") return "CASE WHEN k.backlog = 1 THEN 'pending' ELSE 'delivered' END";
    if (kind === "timestamp") return value === null || value === undefined ? (table === "outbox" && name === "delivered_at" ? timeExpression(name, table) : "NULL") : timeExpression(name, table);
    if (value === null || value === undefined) return "NULL";
    if (kind === "boolean") return dialect === "postgres" ? String(Boolean(value)) : value ? "1" : "0";
    if (kind === "number") return String(value);
    if (kind === "json") {
      const text = typeof value === "string" ? value : JSON.stringify(value);
      return dialect === "postgres" ? `(${substituted(text)})::jsonb` : substituted(text);
    }
    return substituted(String(value));
  });
  return `INSERT INTO "${table}" (${columns.map((c) => `"${c.name}"`).join(", ")}) SELECT ${expressions.join(", ")} FROM seed_keys k WHERE k.template = ${options.template} AND k.n >= $FROM AND k.n < $TO`;
}
