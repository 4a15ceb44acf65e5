// TYPE A (RFC 959 §3.1.1.1): lines cross the wire as NVT-ASCII, ended by CRLF, whatever the
// systems use at home. Sending, our LF becomes CRLF; receiving, CRLF becomes LF again.

import { Transform, type TransformCallback } from 'node:stream';

const CR = 13;
const LF = 10;

/** RETR in ASCII: every LF is sent as CRLF (as vsftpd's ascii_download_enable, pyftpdlib). */
export function toNetworkAscii(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      let lines = 0;
      for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) lines++;
      if (lines === 0) return done(null, chunk);
      const out = Buffer.allocUnsafe(chunk.length + lines);
      let from = 0;
      let to = 0;
      for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) {
        to += chunk.copy(out, to, from, i);
        out[to++] = CR;
        out[to++] = LF;
        from = i + 1;
      }
      chunk.copy(out, to, from);
      done(null, out);
    },
  });
}

/** STOR in ASCII: CRLF is stored as LF; a CR at the end of a chunk waits to see what follows it. */
export function fromNetworkAscii(): Transform {
  let heldCR = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      const out = Buffer.allocUnsafe(chunk.length + 1);
      let to = 0;
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i];
        if (heldCR && byte !== LF) out[to++] = CR;
        heldCR = byte === CR;
        if (!heldCR) out[to++] = byte;
      }
      done(null, out.subarray(0, to));
    },
    flush(done: TransformCallback) {
      done(null, heldCR ? Buffer.from([CR]) : undefined);
    },
  });
}
