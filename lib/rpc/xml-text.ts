// The text layer under the XML-RPC reader: decoding a body to a string, expanding the references
// XML allows without a DOCTYPE (five entities, character references), and nothing more.

import { FaultCode, RpcFault } from './faults.ts';

export function malformed(message: string): RpcFault {
  return new RpcFault(FaultCode.parseError, `parse error: ${message}`);
}

/** Decodes a body: UTF-8 unless the XML declaration names ISO-8859-1 (XML 1.0 §4.3.3). */
export function decodeBody(body: Buffer): string {
  if (body[0] === 0x3c && body[1] === 0x3f) {
    const declaration = body.subarray(0, Math.max(0, body.indexOf('?>'))).toString('latin1');
    const encoding = /encoding\s*=\s*["']([^"']+)["']/.exec(declaration)?.[1].toLowerCase();
    if (encoding === 'iso-8859-1' || encoding === 'latin1' || encoding === 'latin-1') return body.toString('latin1');
    if (encoding && encoding !== 'utf-8' && encoding !== 'utf8' && encoding !== 'us-ascii' && encoding !== 'ascii') {
      throw new RpcFault(FaultCode.unsupportedEncoding, `unsupported encoding ${JSON.stringify(encoding)}: send UTF-8`);
    }
  }
  return body.toString('utf8');
}

const predefinedEntities = new Map([['lt', '<'], ['gt', '>'], ['amp', '&'], ['quot', '"'], ['apos', "'"]]);

/** XML 1.0 §4.6: the five predefined entities and character references; nothing else expands. */
export function decodeEntities(text: string): string {
  let amp = text.indexOf('&');
  if (amp < 0) return text;
  let result = '';
  let from = 0;
  while (amp >= 0) {
    const semi = text.indexOf(';', amp);
    const name = semi < 0 ? '' : text.slice(amp + 1, semi);
    let decoded: string | undefined;
    if (name.startsWith('#')) {
      const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      if (isXmlChar(code) && /^#(?:x[0-9a-fA-F]{1,6}|[0-9]{1,7})$/.test(name)) decoded = String.fromCodePoint(code);
    } else decoded = predefinedEntities.get(name);
    if (decoded === undefined) throw malformed(`undefined entity or bad reference "&${name.slice(0, 20)}${semi < 0 ? '' : ';'}"`);
    result += text.slice(from, amp) + decoded;
    from = semi + 1;
    amp = text.indexOf('&', from);
  }
  return result + text.slice(from);
}

/** Only whitespace (and comments) between `from` and `to`: the hot path scans without allocating. */
export function blank(xml: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = xml.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    return !/\S/.test(xml.slice(from, to).replace(/<!--[\s\S]*?-->/g, ''));
  }
  return true;
}

function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}
