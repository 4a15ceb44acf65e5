// A strict, small XML-RPC reader: methodCall and methodResponse documents, straight to values.
// It knows only the XML that XML-RPC uses, so no DOCTYPE, no entity but the five predefined.

import { RpcDouble, type RpcValue } from './codec.ts';
import { FaultCode, RpcFault } from './faults.ts';
import { blank, decodeEntities, malformed } from './xml-text.ts';

export { decodeBody } from './xml-text.ts';

export interface ParseOptions {
  /** How deep arrays and structs may nest before the document is refused. */
  maxDepth?: number;
  /** Keep doubles as RpcDouble (the server, so 5.0 stays a double); plain numbers otherwise. */
  keepDoubles?: boolean;
}

export interface ParsedCall {
  methodName: string;
  params: RpcValue[];
}

export type ParsedResponse = { value: RpcValue } | { fault: RpcFault };

export function parseCall(xml: string, options: ParseOptions = {}): ParsedCall {
  const reader = new Reader(xml, options);
  reader.prolog();
  reader.open('methodCall');
  reader.open('methodName');
  const methodName = reader.text('methodName').trim();
  const params: RpcValue[] = [];
  if (reader.nextTag() === 'params') {
    if (!reader.open('params')) {
      while (reader.nextTag() === 'param') params.push(reader.param());
      reader.close('params');
    }
  }
  reader.close('methodCall');
  reader.end();
  if (!methodName) throw invalid('the methodName is empty');
  return { methodName, params };
}

export function parseResponse(xml: string, options: ParseOptions = {}): ParsedResponse {
  const reader = new Reader(xml, options);
  reader.prolog();
  reader.open('methodResponse');
  let result: ParsedResponse;
  if (reader.nextTag() === 'fault') {
    reader.open('fault');
    const value = reader.value(0) as { faultCode?: unknown; faultString?: unknown };
    reader.close('fault');
    if (typeof value !== 'object' || value === null || typeof value.faultCode !== 'number') throw invalid('a fault without a faultCode');
    result = { fault: new RpcFault(value.faultCode, String(value.faultString ?? '')) };
  } else {
    reader.open('params');
    if (reader.nextTag() !== 'param') throw invalid('a response without a value');
    result = { value: reader.param() };
    reader.close('params');
  }
  reader.close('methodResponse');
  reader.end();
  return result;
}

function invalid(message: string): RpcFault {
  return new RpcFault(FaultCode.invalidRequest, `not an XML-RPC document: ${message}`);
}


const integerPattern = /^[+-]?\d{1,16}$/;
const doublePattern = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:inf|nan)$/i;
const datePattern = /^(\d{4})-?(\d\d)-?(\d\d)T(\d\d):(\d\d):(\d\d)/;

class Reader {
  private pos = 0;
  private readonly maxDepth: number;
  private readonly keepDoubles: boolean;
  private readonly xml: string;

  constructor(xml: string, options: ParseOptions) {
    this.xml = xml;
    this.maxDepth = options.maxDepth ?? 64;
    this.keepDoubles = options.keepDoubles ?? false;
  }

  /** Byte order mark, XML declaration, comments; a DOCTYPE is refused (billion laughs, XXE). */
  prolog(): void {
    if (this.xml.charCodeAt(0) === 0xfeff) this.pos = 1;
    this.skipMisc();
  }

  /** Only comments and whitespace may follow the root element. */
  end(): void {
    this.skipMisc();
    if (this.pos < this.xml.length) throw malformed(`unexpected content after the document at offset ${this.pos}`);
  }

  /** Skips whitespace, comments and processing instructions between elements. */
  private skipMisc(): void {
    const xml = this.xml;
    for (;;) {
      let c = xml.charCodeAt(this.pos);
      while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = xml.charCodeAt(++this.pos);
      if (c !== 0x3c) return;
      const next = xml.charCodeAt(this.pos + 1);
      if (next === 0x3f) this.skipPast('?>', 'processing instruction');
      else if (next === 0x21) {
        if (!xml.startsWith('<!--', this.pos)) throw malformed('DOCTYPE and entity declarations are not accepted');
        this.skipPast('-->', 'comment');
      } else return;
    }
  }

  private skipPast(terminator: string, what: string): void {
    const end = this.xml.indexOf(terminator, this.pos + 2);
    if (end < 0) throw malformed(`unterminated ${what}`);
    this.pos = end + terminator.length;
  }

  /** The name of the next start tag, or undefined when an end tag (or the end) comes first. */
  nextTag(): string | undefined {
    this.skipMisc();
    if (this.xml.charCodeAt(this.pos) !== 0x3c || this.xml.charCodeAt(this.pos + 1) === 0x2f) return undefined;
    return this.tagName(this.pos + 1);
  }

  private tagName(start: number): string {
    let end = start;
    const xml = this.xml;
    for (let c = xml.charCodeAt(end); end < xml.length; c = xml.charCodeAt(++end)) {
      if (c === 0x3e || c === 0x2f || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) break;
    }
    return xml.slice(start, end);
  }

  /** Consumes <name …> and returns true when it was <name/> (an empty element). */
  open(name: string): boolean {
    this.skipMisc();
    const xml = this.xml;
    if (xml.charCodeAt(this.pos) !== 0x3c || !xml.startsWith(name, this.pos + 1)) {
      throw this.unexpected(`<${name}>`);
    }
    let at = this.pos + 1 + name.length;
    const after = xml.charCodeAt(at);
    if (after === 0x3e) {
      this.pos = at + 1;
      return false;
    }
    if (after === 0x2f || after === 0x20 || after === 0x0a || after === 0x0d || after === 0x09) {
      // Attributes mean nothing in XML-RPC: skip them, minding quotes so a '>' inside one is not the end.
      for (let quote = 0; at < xml.length; at++) {
        const c = xml.charCodeAt(at);
        if (quote) quote = c === quote ? 0 : quote;
        else if (c === 0x22 || c === 0x27) quote = c;
        else if (c === 0x3e) {
          this.pos = at + 1;
          return xml.charCodeAt(at - 1) === 0x2f;
        } else if (c === 0x3c) break;
      }
      throw malformed(`unterminated <${name}> tag`);
    }
    throw this.unexpected(`<${name}>`);
  }

  close(name: string): void {
    this.skipMisc();
    const xml = this.xml;
    if (!xml.startsWith('</', this.pos) || !xml.startsWith(name, this.pos + 2)) throw this.unexpected(`</${name}>`);
    let at = this.pos + 2 + name.length;
    while (xml.charCodeAt(at) === 0x20 || xml.charCodeAt(at) === 0x0a || xml.charCodeAt(at) === 0x0d || xml.charCodeAt(at) === 0x09) at++;
    if (xml.charCodeAt(at) !== 0x3e) throw this.unexpected(`</${name}>`);
    this.pos = at + 1;
  }

  private unexpected(expected: string): RpcFault {
    if (this.pos >= this.xml.length) return malformed(`the document ends where ${expected} was expected`);
    const found = this.xml.slice(this.pos, this.pos + 24).replace(/\s+/g, ' ');
    // An end tag that closes something else is not well-formed XML at all (XML 1.0 §3, element match).
    if (this.xml.startsWith('</', this.pos) && expected.startsWith('</')) return malformed(`expected ${expected} at offset ${this.pos}, found ${JSON.stringify(found)}`);
    return this.xml.charCodeAt(this.pos) === 0x3c
      ? invalid(`expected ${expected} at offset ${this.pos}, found ${JSON.stringify(found)}`)
      : malformed(`expected ${expected} at offset ${this.pos}, found text ${JSON.stringify(found)}`);
  }

  /** Character data up to the end tag of `name`: entity references decoded, CDATA kept, comments dropped. */
  text(name: string): string {
    let text = '';
    const xml = this.xml;
    for (;;) {
      const lt = xml.indexOf('<', this.pos);
      if (lt < 0) throw malformed(`unterminated <${name}>`);
      if (lt > this.pos) text += decodeEntities(xml.slice(this.pos, lt));
      this.pos = lt;
      if (xml.startsWith('<![CDATA[', lt)) {
        const end = xml.indexOf(']]>', lt + 9);
        if (end < 0) throw malformed('unterminated CDATA section');
        text += xml.slice(lt + 9, end);
        this.pos = end + 3;
      } else if (xml.startsWith('<!--', lt)) this.skipPast('-->', 'comment');
      else if (xml.charCodeAt(lt + 1) === 0x2f) {
        this.close(name);
        return text;
      } else throw invalid(`<${name}> holds text only, found an element at offset ${lt}`);
    }
  }

  param(): RpcValue {
    this.open('param');
    const value = this.value(0);
    this.close('param');
    return value;
  }

  /** <value>: a typed element, or bare text (a string, XML-RPC spec "If no type is indicated"). */
  value(depth: number): RpcValue {
    if (this.open('value')) return '';
    const start = this.pos;
    const xml = this.xml;
    let lt = xml.indexOf('<', start);
    while (lt >= 0 && xml.startsWith('<!--', lt)) {
      lt = xml.indexOf('-->', lt);
      lt = lt < 0 ? -1 : xml.indexOf('<', lt);
    }
    if (lt < 0) throw malformed('unterminated <value>');
    if (xml.charCodeAt(lt + 1) === 0x2f || xml.startsWith('<![CDATA[', lt)) {
      this.pos = start;
      return this.text('value');
    }
    if (!blank(xml, start, lt)) throw invalid('a <value> mixes text and elements');
    this.pos = lt;
    const value = this.typed(depth);
    this.close('value');
    return value;
  }

  private typed(depth: number): RpcValue {
    const type = this.nextTag() ?? '';
    const empty = this.open(type);
    switch (type) {
      case 'struct':
      case 'array':
        if (depth >= this.maxDepth) throw invalid(`arrays and structs nest deeper than ${this.maxDepth} levels`);
        return type === 'struct' ? this.struct(empty, depth + 1) : this.array(empty, depth + 1);
      case 'nil':
        if (!empty) this.close('nil');
        return null;
    }
    const text = empty ? '' : this.text(type);
    switch (type) {
      case 'string':
        return text;
      case 'int':
      case 'i4':
      case 'i8': {
        const trimmed = text.trim();
        if (!integerPattern.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) throw invalid(`bad <${type}> ${JSON.stringify(trimmed.slice(0, 40))}`);
        return Number(trimmed);
      }
      case 'double': {
        const trimmed = text.trim();
        if (!doublePattern.test(trimmed)) throw invalid(`bad <double> ${JSON.stringify(trimmed.slice(0, 40))}`);
        const lower = trimmed.toLowerCase();
        const number = lower.endsWith('inf') ? (lower.startsWith('-') ? -Infinity : Infinity) : lower.endsWith('nan') ? NaN : Number(trimmed);
        return this.keepDoubles ? new RpcDouble(number) : number;
      }
      case 'boolean': {
        const trimmed = text.trim();
        if (trimmed !== '0' && trimmed !== '1') throw invalid(`bad <boolean> ${JSON.stringify(trimmed.slice(0, 40))} (0 or 1)`);
        return trimmed === '1';
      }
      case 'dateTime.iso8601': {
        const match = datePattern.exec(text.trim());
        if (!match) throw invalid(`bad <dateTime.iso8601> ${JSON.stringify(text.slice(0, 40))}`);
        const [, y, mo, d, h, mi, s] = match.map(Number);
        return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
      }
      case 'base64':
        return Buffer.from(text.replace(/\s+/g, ''), 'base64');
      default:
        throw invalid(`unknown value type <${type.slice(0, 40)}>`);
    }
  }

  private struct(empty: boolean, depth: number): Record<string, RpcValue> {
    const struct: Record<string, RpcValue> = {};
    if (empty) return struct;
    while (this.nextTag() === 'member') {
      this.open('member');
      this.open('name');
      const name = this.text('name');
      const value = this.value(depth);
      this.close('member');
      // A member called __proto__ must be data, never the object's prototype.
      Object.defineProperty(struct, name, { value, enumerable: true, writable: true, configurable: true });
    }
    this.close('struct');
    return struct;
  }

  private array(empty: boolean, depth: number): RpcValue[] {
    const items: RpcValue[] = [];
    if (empty) return items;
    if (!this.open('data')) {
      while (this.nextTag() === 'value') items.push(this.value(depth));
      this.close('data');
    }
    this.close('array');
    return items;
  }
}
