/**
 * Text is kept in Unicode Normalization Form C: the server normalises every string of a request body before it
 * validates, hashes or stores it, so the receipt a client gets shows exactly what both stores hold, and "é" typed
 * as one code point or as e + U+0301 is the same answer (and the same content hash on a retry). The characters
 * text may not hold at all are refused by the `text` and `long-text` formats (formats.ts), at the schema level.
 */

const NON_ASCII = /[\u0080-\uffff]/;

/** A string in NFC; ASCII, already NFC, is returned as it is without the cost of normalising. */
export function nfc(value: string): string {
  return NON_ASCII.test(value) ? value.normalize('NFC') : value;
}

/**
 * Every string value of a parsed JSON document in NFC, in place (the document is the caller's own fresh copy).
 * Keys are left alone: item ids and field names are ASCII, and anything else is refused by the schemas. A loop
 * with its own stack, not recursion: a body may nest as deep as its size allows, and the schemas answer that.
 */
export function normalizeText<T>(value: T): T {
  if (typeof value === 'string') return nfc(value) as T;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || typeof node !== 'object') continue;
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const v = record[key];
      if (typeof v === 'string') record[key] = nfc(v);
      else if (v !== null && typeof v === 'object') pending.push(v);
    }
  }
  return value;
}

/**
 * Words in lines of at most `width` characters (a longer word gets a line of its own). SVG text does not wrap by
 * itself, and the charts' Russian and Kazakh names run long: the drawings wrap them rather than cut them.
 */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = lines[lines.length - 1];
    if (last !== undefined && `${last} ${word}`.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}
