// How the sockets lab shows bytes that came off the wire: quoted text when they are text,
// a hex dump when they are not, so that no peer can drive the terminal with control characters.

import { isUtf8 } from 'node:buffer';

/** Text that is safe to print as it is: valid UTF-8 without control characters but tab and newlines. */
function isPrintableText(data: Buffer): boolean {
  return isUtf8(data) && !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u0080-\u009f]/.test(data.toString('utf8'));
}

/** `"hello\n"` for text, `hex 00 ff 10 …` for binary; long payloads are cut at `max` bytes. */
export function previewPayload(data: Buffer, max = 120): string {
  if (data.length === 0) return '(empty)';
  const shown = data.subarray(0, max);
  const more = data.length > max ? ` … (+${data.length - max} bytes)` : '';
  // JSON.stringify escapes quotes, backslashes, \n, \t: the preview reads like a string literal.
  if (isPrintableText(data)) return `${JSON.stringify(shown.toString('utf8'))}${more}`;
  return `hex ${shown.subarray(0, 32).toString('hex').replace(/(..)(?!$)/g, '$1 ')}${data.length > 32 ? ` … (+${data.length - 32} bytes)` : ''}`;
}

/** A payload for --json output: `{ text }` when it is printable text, else `{ base64 }`. */
export function payloadJson(data: Buffer): { text: string } | { base64: string } {
  return isPrintableText(data) ? { text: data.toString('utf8') } : { base64: data.toString('base64') };
}

/** "1 byte", "5 bytes". */
export function byteCount(count: number): string {
  return `${count} byte${count === 1 ? '' : 's'}`;
}
