/**
 * A stream that survives its source being dropped midway (a server cursor killed, or idle past its timeout behind
 * a slow consumer): reopened after the last item delivered, so nothing is skipped or repeated. A source dropped
 * again before delivering anything new is an error, not a loop.
 */
export async function* resumable<T>(open: (after: T | undefined) => AsyncIterable<T>, dropped: (error: unknown) => boolean): AsyncIterable<T> {
  let last: T | undefined;
  for (;;) {
    const from = last;
    try {
      for await (const item of open(from)) {
        last = item;
        yield item;
      }
      return;
    } catch (error) {
      if (!dropped(error) || last === from) throw error;
    }
  }
}
