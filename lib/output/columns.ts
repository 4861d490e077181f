/** Rows as aligned columns for a terminal: `aec profiles`' tables and `aec sso roles`'. */

/** Each cell padded to its column's widest, two spaces apart; the last column is not padded. */
export function columns(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row.map((cell, column) => column === row.length - 1 ? cell : cell.padEnd(widths[column]!))
      .join("  ")
  ).join("\n") + "\n";
}
