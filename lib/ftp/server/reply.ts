// Writing replies (RFC 959 §4.2) with ftp-srv's calling convention but without its bluebird
// chain (three promise maps per reply): the one hot path of a client fetching many small files.
// Every reply of the server, ftp-srv's own included, leaves here, so this is where a client's CR or
// LF (`SIZE x\r200 INJECTED`) is made visible: a reply line never holds a line break of its words.

import { shownName } from './names.ts';
import type { Socket } from 'node:net';
import { defaultMessages, type Connection } from './ftp-srv-adapter.ts';

interface ReplyOptions {
  code?: number;
  socket?: Socket;
  useEmptyMessage?: boolean;
  eol?: boolean;
}

interface Letter {
  message?: unknown;
  code?: number;
  raw?: boolean;
  socket?: Socket;
  encoding?: BufferEncoding;
}


/**
 * connection.reply(options, ...letters), as ftp-srv calls it: `options` a code or { code, socket,
 * useEmptyMessage, eol }; each letter a string or { message, raw, socket }. Lines of one reply are
 * "ddd-text" except the last, "ddd text". Resolves once the kernel has it; a closed socket is not an error.
 */
export function makeReply(connection: Connection): Connection['reply'] {
  return (options, ...rawLetters) => {
    // The common case, "code text" on the control connection, without building the general one.
    if (typeof options === 'number' && options > 0 && rawLetters.length === 1 && typeof rawLetters[0] === 'string' && rawLetters[0]) {
      return send(connection.commandSocket, `${options} ${shownName(rawLetters[0])}\r\n`, connection.encoding);
    }
    const settings: ReplyOptions = typeof options === 'number' ? { code: options } : (options ?? {});
    const letters: Letter[] = (rawLetters.length ? rawLetters : [{}]).map((letter) => (typeof letter === 'string' ? { message: letter } : ((letter ?? {}) as Letter)));
    // ftp-srv lets a message be a promise (none of the commands left to it uses one): awaited first.
    if (letters.some((letter) => typeof (letter.message as PromiseLike<unknown>)?.then === 'function')) {
      return Promise.all(letters.map(async (letter) => ({ ...letter, message: await letter.message }))).then((settled) => write(connection, settings, settled));
    }
    return write(connection, settings, letters);
  };
}

/** Each line's text with its control characters, CR and LF first, in caret notation (shownName). */
function write(connection: Connection, settings: ReplyOptions, letters: Letter[]): Promise<unknown> {
  const writes = new Map<Socket, string[]>();
  letters.forEach((letter, index) => {
    const socket = letter.socket ?? settings.socket ?? connection.commandSocket;
    let text = '';
    if (!settings.useEmptyMessage) {
      const message = letter.message || defaultMessages[settings.code ?? 0] || 'No information';
      const last = index === letters.length - 1;
      const separator = settings.eol === undefined ? (last ? ' ' : '-') : settings.eol ? ' ' : '-';
      const code = letter.code || settings.code;
      text = shownName(letter.raw ? String(message) : code ? `${code}${separator}${message}` : String(message));
    }
    writes.set(socket, [...(writes.get(socket) ?? []), `${text}\r\n`]);
  });
  return Promise.all([...writes].map(([socket, lines]) => send(socket, lines.join(''), connection.encoding)));
}

/**
 * One write per reply: a multi-line reply leaves in one segment. When the kernel took it all at
 * once there is nothing to wait for (the callback would cost a loop turn); else wait, so that a
 * close right after the reply cannot cut it. A closed socket is not an error.
 */
function send(socket: Socket, text: string, encoding: BufferEncoding): Promise<void> {
  if (!socket.writable) return Promise.resolve();
  return new Promise<void>((resolve) => {
    if (socket.write(text, encoding, () => resolve())) resolve();
  });
}
