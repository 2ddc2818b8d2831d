/** Plain-text tables for the terminal: columns padded to their widest cell, numbers right-aligned. */

export type Cell = string | number;

export function renderTable(header: string[], rows: Cell[][]): string {
  const text = rows.map((r) => r.map((c) => String(c)));
  const widths = header.map((h, k) => Math.max(h.length, ...text.map((r) => (r[k] ?? '').length)));
  const numeric = header.map((_, k) => rows.length > 0 && rows.every((r) => typeof r[k] === 'number' || /^[-+]?[\d.,]+%?$|^$/.test(String(r[k] ?? ''))));
  const line = (cells: string[]) => cells.map((c, k) => (numeric[k] ? c.padStart(widths[k] as number) : c.padEnd(widths[k] as number))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}
