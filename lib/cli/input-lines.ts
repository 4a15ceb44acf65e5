// The lines a client reads from stdin, as bytes. A pipe may carry any byte (`printf '\xff' | …`):
// readline would decode it as UTF-8 and send U+FFFD (ef bf bd) instead, so off a terminal the
// lines are cut at LF from the raw chunks. A terminal keeps readline, for its line editing.

import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** Each line without its LF (or CRLF); ends at end of input, or quietly once `stop` aborts. */
export async function* inputLines(input: Readable & { isTTY?: boolean }, stop?: AbortSignal): AsyncGenerator<Buffer> {
  const onStop = () => input.destroy();
  stop?.addEventListener('abort', onStop, { once: true });
  try {
    if (input.isTTY) {
      const terminal = createInterface({ input });
      stop?.addEventListener('abort', () => terminal.close(), { once: true });
      for await (const line of terminal) yield Buffer.from(line);
      return;
    }
    let rest: Buffer = Buffer.alloc(0);
    for await (const chunk of input as AsyncIterable<Buffer>) {
      const data: Buffer = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      let start = 0;
      for (let end = data.indexOf(0x0a); end !== -1; end = data.indexOf(0x0a, start)) {
        yield withoutCr(data.subarray(start, end));
        start = end + 1;
      }
      rest = data.subarray(start);
    }
    if (rest.length) yield rest;
  } catch (error) {
    if (!stop?.aborted) throw error; // destroyed by our own stop: the end of the input
  } finally {
    stop?.removeEventListener('abort', onStop);
  }
}

function withoutCr(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, -1) : line;
}
