export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  /** Numbers and amounts read best right-aligned. */
  align?: "left" | "right" | undefined;
  /** Applied after padding, so escape codes never disturb the widths. */
  style?: ((text: string, row: Row) => string) | undefined;
}

/** A plain-text table: two spaces between columns, a header and a rule. Empty input gives just the header. */
export function renderTable<Row>(columns: ReadonlyArray<Column<Row>>, rows: readonly Row[], header: (text: string) => string = (t) => t): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => (line[i] ?? "").length)));
  const pad = (text: string, i: number) => {
    const width = widths[i] ?? 0;
    return columns[i]?.align === "right" ? text.padStart(width) : text.padEnd(width);
  };
  const lines = [
    header(columns.map((column, i) => pad(column.header, i)).join("  ").trimEnd()),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.map((line, r) =>
      line
        .map((text, i) => {
          const style = columns[i]?.style;
          const row = rows[r];
          return style && row !== undefined ? style(pad(text, i), row) : pad(text, i);
        })
        .join("  ")
        .trimEnd(),
    ),
  ];
  return `${lines.join("\n")}\n`;
}

/** Aligned `label  value` lines for one record. */
export function renderFields(fields: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(0, ...fields.map(([label]) => label.length));
  return `${fields.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n")}\n`;
}
