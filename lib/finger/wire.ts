// What goes on the wire in an answer: every line ends in CRLF (RFC 1288 §2.2), and unprintable
// characters are filtered out (§3.3 asks it of clients; a careful server does it as well).

/**
 * Answer text → bytes: lines end in CRLF; C0 and C1 controls (ESC sequences that would drive the
 * reader's terminal) are removed, tabs kept. RFC 1288 §3.3 speaks of 7-bit ASCII; we keep printable
 * UTF-8 too (names with accents), which modern clients display and which cannot move a cursor.
 */
export function encodeAnswer(text: string, maxBytes: number): Buffer {
  const clean = text.replace(/\r\n?/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '');
  if (clean === '') return Buffer.alloc(0);
  const lines = clean.endsWith('\n') ? clean.slice(0, -1).split('\n') : clean.split('\n');
  let body = Buffer.from(lines.map((line) => `${line}\r\n`).join(''), 'utf8');
  if (body.length > maxBytes) {
    const cut = body.subarray(0, maxBytes);
    body = Buffer.concat([cut.subarray(0, cut.lastIndexOf(0x0a) + 1), Buffer.from(`[answer cut at ${maxBytes} bytes]\r\n`)]);
  }
  return body;
}

/** One line the server says instead of an answer (a refusal, an error), ready for the wire. */
export function noticeLine(text: string): Buffer {
  return encodeAnswer(`${text}\n`, 1024);
}
