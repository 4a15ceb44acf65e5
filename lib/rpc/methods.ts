// How an XML-RPC service declares its methods (parameters, help, signatures), and the dispatcher
// that checks parameters, runs a method, and answers introspection and system.multicall.

import type { Logger } from 'pino';
import { RpcDouble, type RpcValue } from './codec.ts';
import { FaultCode, RpcFault, isRpcFault } from './faults.ts';

/** 'number' takes ints and doubles alike; the handler learns which from `CallInfo.doubles`. */
export type ParamType = 'int' | 'number' | 'string' | 'boolean' | 'array' | 'struct';

export interface ParamSpec {
  name: string;
  type: ParamType;
  optional?: boolean;
}

export interface CallInfo {
  /** For each parameter: was it sent as <double>? (Python's 2 + 3.0 is 5.0, not 5.) */
  doubles: boolean[];
}

export interface RpcMethod {
  params: readonly ParamSpec[];
  /** The XML-RPC type of the result, for system.methodSignature. */
  returns: string;
  /** One paragraph for system.methodHelp. */
  help: string;
  /** Explicit signatures ([returns, param…] lists); derived from params when absent. */
  signatures?: string[][];
  handler(params: any[], call: CallInfo): RpcValue | Promise<RpcValue>;
}

export type MethodTable = Record<string, RpcMethod>;

const xmlRpcTypeOf: Record<ParamType, string> = { int: 'int', number: 'double', string: 'string', boolean: 'boolean', array: 'array', struct: 'struct' };

/** The methods of a service plus Python's introspection and multicall (SimpleXMLRPCServer's system.*). */
export class Dispatcher {
  private readonly methods: Map<string, RpcMethod>;

  private readonly log?: Logger;

  constructor(methods: MethodTable, log?: Logger) {
    this.log = log;
    // A Map, not an object: "__proto__" or "constructor" are just names nobody registered.
    this.methods = new Map(Object.entries(methods));
    this.methods.set('system.listMethods', {
      params: [],
      returns: 'array',
      help: 'Returns the names of the methods this server offers, sorted.',
      handler: () => [...this.methods.keys()].sort(),
    });
    this.methods.set('system.methodHelp', {
      params: [{ name: 'method', type: 'string' }],
      returns: 'string',
      help: 'Returns the help text of a method.',
      handler: ([name]: [string]) => this.lookup(name).help,
    });
    this.methods.set('system.methodSignature', {
      params: [{ name: 'method', type: 'string' }],
      returns: 'array',
      help: 'Returns the signatures of a method: lists of XML-RPC types, the result first.',
      handler: ([name]: [string]) => signaturesOf(this.lookup(name)),
    });
    this.methods.set('system.multicall', {
      params: [{ name: 'calls', type: 'array' }],
      returns: 'array',
      help: 'Runs several calls in one request: takes [{methodName, params}…], returns [[result] or {faultCode, faultString}…].',
      handler: ([calls]: [RpcValue[]]) => this.multicall(calls),
    });
  }

  /** Runs one call; every failure comes out as an RpcFault, never anything else. */
  async call(methodName: string, rawParams: RpcValue[]): Promise<RpcValue> {
    try {
      const method = this.lookup(methodName);
      const [params, call] = checkParams(methodName, method, rawParams);
      return await method.handler(params, call);
    } catch (error) {
      if (isRpcFault(error)) throw error;
      this.log?.error({ method: methodName, err: error }, 'method failed');
      throw new RpcFault(FaultCode.internalError, `internal error in ${methodName} (the server log has the details)`);
    }
  }

  private lookup(name: string): RpcMethod {
    const method = this.methods.get(name);
    if (!method) throw new RpcFault(FaultCode.methodNotFound, `method ${JSON.stringify(name.slice(0, 100))} is not supported`);
    return method;
  }

  private async multicall(calls: RpcValue[]): Promise<RpcValue[]> {
    const results: RpcValue[] = [];
    for (const entry of calls) {
      try {
        const { methodName, params } = (entry ?? {}) as { methodName?: unknown; params?: unknown };
        if (typeof methodName !== 'string' || !Array.isArray(params)) {
          throw new RpcFault(FaultCode.invalidParams, 'each multicall entry is a struct {methodName: string, params: array}');
        }
        // No nesting: one request must not fan out without bound.
        if (methodName === 'system.multicall') throw new RpcFault(FaultCode.invalidRequest, 'system.multicall cannot call itself');
        results.push([await this.call(methodName, params)]);
      } catch (error) {
        const failure = isRpcFault(error) ? error : new RpcFault(FaultCode.internalError, 'internal error');
        results.push({ faultCode: failure.faultCode, faultString: failure.faultString });
      }
    }
    return results;
  }
}

function signaturesOf(method: RpcMethod): string[][] {
  if (method.signatures) return method.signatures;
  const required = method.params.filter((p) => !p.optional).length;
  const signatures: string[][] = [];
  for (let count = required; count <= method.params.length; count++) {
    signatures.push([method.returns, ...method.params.slice(0, count).map((p) => xmlRpcTypeOf[p.type])]);
  }
  return signatures;
}

/** Checks count and types against the declaration: a mismatch is fault -32602, naming the parameter. */
function checkParams(name: string, method: RpcMethod, raw: RpcValue[]): [unknown[], CallInfo] {
  const specs = method.params;
  const required = specs.filter((p) => !p.optional).length;
  if (raw.length < required || raw.length > specs.length) {
    const expected = required === specs.length ? `${required}` : `${required} to ${specs.length}`;
    const list = specs.map((p) => (p.optional ? `[${p.name}]` : p.name)).join(', ');
    throw new RpcFault(FaultCode.invalidParams, `${name}(${list}) takes ${expected} parameter${specs.length === 1 ? '' : 's'}, got ${raw.length}`);
  }
  const doubles = raw.map((value) => value instanceof RpcDouble);
  const params = raw.map((value, i) => {
    const spec = specs[i];
    const plain = value instanceof RpcDouble ? value.value : value;
    if (!matches(spec.type, value, plain)) {
      throw new RpcFault(FaultCode.invalidParams, `${name}: parameter ${spec.name} must be ${describe(spec.type)}, got ${preview(plain)}`);
    }
    return plain;
  });
  return [params, { doubles }];
}

function matches(type: ParamType, value: RpcValue, plain: RpcValue): boolean {
  switch (type) {
    case 'number':
      return typeof plain === 'number' && Number.isFinite(plain);
    case 'int':
      return typeof value === 'number' && Number.isInteger(value);
    case 'array':
      return Array.isArray(value);
    case 'struct':
      return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
    default:
      return typeof value === type;
  }
}

function describe(type: ParamType): string {
  return { int: 'an <int>', number: 'a finite number (<int> or <double>)', string: 'a <string>', boolean: 'a <boolean>', array: 'an <array>', struct: 'a <struct>' }[type];
}

function preview(value: RpcValue): string {
  if (value === null) return 'nil';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return `${Number.isInteger(value) ? 'int' : 'double'} ${value}`;
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a dateTime';
  if (value instanceof Uint8Array) return 'base64 data';
  return typeof value === 'object' ? 'a struct' : `${typeof value} ${String(value)}`;
}
