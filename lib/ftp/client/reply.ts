// The FTP reply parser (RFC 959 §4.2): turns the bytes of the control connection, cut anywhere by
// TCP, into whole replies — single-line "ddd text" and multi-line "ddd-" … "ddd text".

import { NetlabError } from '../../errors.ts';

export interface FtpReply {
  /** The three-digit reply code (RFC 959 §4.2.1). */
  code: number;
  /** Every line of the reply, as received (code prefixes included), without CRLF. */
  lines: string[];
  /** The text for people: the lines with the leading "ddd-"/"ddd " of the first and last removed. */
  text: string;
}

/** RFC 959 §4.2: 1yz preliminary, 2yz completion, 3yz intermediate, 4yz transient, 5yz permanent. */
export const isPreliminary = (reply: FtpReply) => reply.code >= 100 && reply.code < 200;
export const isPositive = (reply: FtpReply) => reply.code >= 100 && reply.code < 400;
export const isError = (reply: FtpReply) => reply.code >= 400;

/** A reply line longer than this, or a reply with more bytes, is a broken or hostile server. */
const maxLineBytes = 64 * 1024;
const maxReplyBytes = 4 * 1024 * 1024;

export class ReplyParser {
  private pending: Buffer = Buffer.alloc(0);
  private lines: string[] = [];
  private replyBytes = 0;
  /** The code of the multi-line reply being read, once its "ddd-" first line has been seen. */
  private openCode: string | undefined;

  /** Feeds bytes; returns the replies they complete (none, one or several), in order. */
  push(chunk: Buffer): FtpReply[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const replies: FtpReply[] = [];
    let start = 0;
    for (let end = this.pending.indexOf(0x0a); end !== -1; end = this.pending.indexOf(0x0a, start)) {
      // Lines end in CRLF (RFC 959 §4.2); a bare LF is accepted, as every real client does.
      const stop = end > start && this.pending[end - 1] === 0x0d ? end - 1 : end;
      const reply = this.acceptLine(this.pending.toString('utf8', start, stop), end + 1 - start);
      if (reply) replies.push(reply);
      start = end + 1;
    }
    this.pending = this.pending.subarray(start);
    if (this.pending.length > maxLineBytes) {
      throw new NetlabError('E_PROTOCOL', `the FTP server sent a reply line longer than ${maxLineBytes} bytes`, {
        hint: 'this is not an FTP server, or it is broken',
      });
    }
    return replies;
  }

  /** True when part of a reply has been received but not its end. */
  get midReply(): boolean {
    return this.pending.length > 0 || this.lines.length > 0;
  }

  private acceptLine(line: string, bytes: number): FtpReply | undefined {
    this.replyBytes += bytes;
    if (this.replyBytes > maxReplyBytes) {
      throw new NetlabError('E_PROTOCOL', `the FTP server sent a reply of more than ${maxReplyBytes} bytes`, {
        hint: 'this is not an FTP server, or it is broken',
      });
    }
    this.lines.push(line);
    if (this.openCode === undefined) {
      const match = /^([1-5]\d\d)([ -]|$)/.exec(line);
      if (!match) {
        throw new NetlabError('E_PROTOCOL', `the FTP server sent a line that is not a reply: ${JSON.stringify(line.slice(0, 80))}`, {
          hint: 'check that the port is an FTP server’s',
        });
      }
      if (match[2] !== '-') return this.finish(Number(match[1]));
      this.openCode = match[1];
      return undefined;
    }
    // RFC 959 §4.2: the reply ends on the first line that starts with the same code and a space;
    // lines between may start with anything, even other digits.
    if (line.startsWith(`${this.openCode} `) || line === this.openCode) return this.finish(Number(this.openCode));
    return undefined;
  }

  private finish(code: number): FtpReply {
    const lines = this.lines;
    this.lines = [];
    this.replyBytes = 0;
    this.openCode = undefined;
    const body = lines.map((line, i) => (i === 0 || i === lines.length - 1 ? line.slice(4) : line.replace(/^ /, '')));
    return { code, lines, text: body.join('\n') };
  }
}

/** "550 Failed to open file." for messages and traces (the last line of a multi-line reply). */
export function formatReply(reply: FtpReply): string {
  return reply.lines.length === 1 ? reply.lines[0] : `${reply.code} ${reply.text.split('\n').filter(Boolean).join(' / ')}`;
}
