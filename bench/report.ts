/** What every benchmark hands back to run.ts: a titled table (columns with their own units) and notes. */
export interface Column {
  name: string;
  /** Numbers right-aligned, text left. */
  align?: 'left' | 'right';
}

export interface BenchSection {
  title: string;
  columns: Column[];
  rows: string[][];
  notes: string[];
}

export function markdownTable(section: Pick<BenchSection, 'columns' | 'rows'>): string {
  const escape = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    `| ${section.columns.map((c) => escape(c.name)).join(' | ')} |`,
    `|${section.columns.map((c) => (c.align === 'left' ? '---' : '---:')).join('|')}|`,
  ];
  for (const row of section.rows) lines.push(`| ${row.map(escape).join(' | ')} |`);
  return lines.join('\n');
}

/** Fixed-point number with thin thousands grouping, for tables. */
export function num(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const MiB = 2 ** 20;
