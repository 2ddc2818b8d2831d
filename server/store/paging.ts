/**
 * Page slicing, written once for both stores: an adapter asks its store for one row more than the page holds, and
 * that extra row only tells whether another page follows. The next page starts after the last row of this one (a
 * keyset position, stable under concurrent inserts, unlike an offset).
 */
export function pageOf<R, T, P>(rows: readonly R[], limit: number, read: (row: R) => T, position: (last: T) => P): { items: T[]; next: P | null } {
  const items = rows.slice(0, limit).map(read);
  const last = items[items.length - 1];
  return { items, next: rows.length > limit && last !== undefined ? position(last) : null };
}

export const responsePosition = (r: { receivedAt: string; id: string }) => ({ receivedAt: r.receivedAt, id: r.id });
export const auditPosition = (e: { at: string; id: string }) => ({ at: e.at, id: e.id });
