/**
 * CSV cells that a spreadsheet would run as a formula (CSV injection), written as text instead: a leading `'`, as
 * OWASP advises. csv-stringify's own `escape_formulas` looks only at the first character (=, +, -, @, tab, CR), but
 * Excel and LibreOffice skip leading spaces before a formula, and `|` starts a DDE call in older Excel, so a cell is
 * escaped when, after any whitespace, it starts with one of = + - @ | or their full-width forms.
 */
const FORMULA = /^[\s\u00a0\ufeff]*[=+\-@|\uff1d\uff0b\uff0d\uff20\uff5c]|^[\t\r]/;

export function spreadsheetSafe(text: string): string {
  return FORMULA.test(text) ? `'${text}` : text;
}

/** csv-stringify options that apply it to every string cell (in place of its `escape_formulas`). */
export const SAFE_CSV_CAST = { string: spreadsheetSafe } as const;
