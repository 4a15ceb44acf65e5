// XML-RPC values and their serialisation: calls, responses and faults as XML text.
// One string is built per message, with no DOM: this is the hot path of every call.

import { escapeXml as escapeText } from '../xml-escape.ts';
import { FaultCode, RpcFault } from './faults.ts';

/** A double that stays a double on the wire even when its value is whole (5.0, not 5). */
export class RpcDouble {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

export type RpcValue =
  | number
  | boolean
  | string
  | null
  | Date
  | Uint8Array
  | RpcDouble
  | RpcValue[]
  | { [key: string]: RpcValue };

const xmlDeclaration = '<?xml version="1.0"?>\n';

export function serializeCall(methodName: string, params: readonly RpcValue[]): string {
  let xml = `${xmlDeclaration}<methodCall><methodName>${escapeText(methodName)}</methodName><params>`;
  for (const param of params) xml += `<param>${serializeValue(param)}</param>`;
  return `${xml}</params></methodCall>\n`;
}

export function serializeResponse(value: RpcValue): string {
  return `${xmlDeclaration}<methodResponse><params><param>${serializeValue(value)}</param></params></methodResponse>\n`;
}

export function serializeFault(faultCode: number, faultString: string): string {
  return (
    `${xmlDeclaration}<methodResponse><fault><value><struct>` +
    `<member><name>faultCode</name><value><int>${faultCode | 0}</int></value></member>` +
    `<member><name>faultString</name><value><string>${escapeText(faultString)}</string></value></member>` +
    `</struct></value></fault></methodResponse>\n`
  );
}

export function serializeValue(value: RpcValue): string {
  switch (typeof value) {
    case 'number':
      // XML-RPC's <int> is 32-bit signed (spec, "Scalar <value>s"); anything else goes as a double.
      return Number.isInteger(value) && value >= -2147483648 && value <= 2147483647
        ? `<value><int>${value}</int></value>`
        : `<value><double>${formatDouble(value)}</double></value>`;
    case 'string':
      return `<value><string>${escapeText(value)}</string></value>`;
    case 'boolean':
      return `<value><boolean>${value ? 1 : 0}</boolean></value>`;
    case 'object':
      return serializeObject(value);
    default:
      throw new RpcFault(FaultCode.internalError, `cannot send a ${typeof value} in XML-RPC`);
  }
}

function serializeObject(value: Exclude<RpcValue, number | string | boolean>): string {
  if (value === null) return '<value><nil/></value>'; // the common <nil/> extension (Python reads it)
  if (value instanceof RpcDouble) return `<value><double>${formatDouble(value.value)}</double></value>`;
  if (Array.isArray(value)) {
    let xml = '<value><array><data>';
    for (const item of value) xml += serializeValue(item);
    return `${xml}</data></array></value>`;
  }
  if (value instanceof Date) return `<value><dateTime.iso8601>${formatDate(value)}</dateTime.iso8601></value>`;
  if (value instanceof Uint8Array) return `<value><base64>${Buffer.from(value).toString('base64')}</base64></value>`;
  let xml = '<value><struct>';
  for (const key of Object.keys(value)) {
    xml += `<member><name>${escapeText(key)}</name>${serializeValue(value[key])}</member>`;
  }
  return `${xml}</struct></value>`;
}

/** Python writes repr(float); we write the shortest exact decimal, always with a point or exponent. */
function formatDouble(value: number): string {
  if (!Number.isFinite(value)) {
    throw new RpcFault(FaultCode.outOfRange, `${value} has no XML-RPC representation`);
  }
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** dateTime.iso8601 as Python and the spec write it: 19980717T14:08:55 (here always UTC). */
function formatDate(date: Date): string {
  const iso = date.toISOString(); // 1998-07-17T14:08:55.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 19)}`;
}
