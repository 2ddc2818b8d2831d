/** Opaque pagination cursors: the (receivedAt, id) position, base64url-encoded. */
export interface CursorPosition {
  receivedAt: string;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.receivedAt, position.id])).toString('base64url');
}

/** The position a cursor encodes, or null when it is not one of ours. */
export function decodeCursor(cursor: string): CursorPosition | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' && !Number.isNaN(Date.parse(value[0]))) {
      return { receivedAt: value[0], id: value[1] };
    }
  } catch {
    // not base64url JSON: fall through
  }
  return null;
}
