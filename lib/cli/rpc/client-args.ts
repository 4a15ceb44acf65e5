// What the calc and annuaire clients share: the flags that say where the server is, the client
// they make from them (with --trace), and how they turn typed text into XML-RPC numbers.

import { NetlabError } from '../../errors.ts';
import { hostArg, jsonArg, remotePortArg, timeoutArg, traceArg } from '../args.ts';
import { parseRemotePort, parseSeconds } from '../../values.ts';
import type { Output } from '../output.ts';
import { servicePort } from '../../config/define.ts';
import type { LoadedConfig } from '../../config/load.ts';
import { formatAddress } from '../../services/handle.ts';
import { RpcClient } from '../../rpc/client.ts';
import { RpcDouble, type RpcValue } from '../../rpc/codec.ts';
import { isRpcFault } from '../../rpc/faults.ts';

export function rpcClientArgs(service: string) {
  return {
    url: { type: 'string', description: 'the server as a URL (http://host:port/); wins over --host/--port', valueHint: 'url' },
    ...hostArg,
    ...remotePortArg(service),
    ...jsonArg,
    ...traceArg,
    ...timeoutArg(10),
  } as const;
}

interface ClientFlags {
  url?: string;
  host?: string;
  port?: string;
  trace?: boolean;
  timeout?: string;
}

/** The client for --url, or http://--host:--port/ (defaults from the config). */
export function clientFromArgs(args: ClientFlags, config: LoadedConfig, out: Output, service: string, keepDoubles = false): RpcClient {
  const url = args.url ?? `http://${formatAddress({ host: config.host, port: parseRemotePort(args.port, servicePort(config, service)) })}/`;
  return new RpcClient({
    url,
    timeoutMs: parseSeconds(args.timeout, config.rpc.clientTimeout),
    keepDoubles,
    trace: args.trace ? (direction, xml) => out.line(`${direction === 'call' ? '>>' : '<<'} ${xml.trimEnd().replace(/\n/g, '\n   ')}`) : undefined,
  });
}

/**
 * "5" → <int>, "2.5", "2,5", "1e3" → <double>. A usage error for what is not a number, and for an
 * integer that no XML-RPC number carries exactly: <int> is 32-bit, and a <double> holds every
 * integer only up to 2^53 — 9007199254740993 would arrive as …992 (Python's client refuses
 * anything beyond <int> with an OverflowError).
 */
export function parseOperand(text: string): number | RpcDouble {
  const trimmed = text.trim().replace(/^([+-]?\d*),(\d+)$/, '$1.$2');
  if (/^[+-]?\d+$/.test(trimmed)) {
    const value = Number(trimmed);
    if (!Number.isSafeInteger(value)) {
      throw new NetlabError('E_USAGE', `${trimmed} cannot be sent exactly: an XML-RPC number is a 32-bit <int> or a <double>, exact up to 2^53 (9007199254740992)`, {
        hint: 'give a smaller integer, or write it as a double (1.2e19) to accept the rounding',
      });
    }
    return Math.abs(value) <= 2147483647 ? value : new RpcDouble(value);
  }
  if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(trimmed) && Number.isFinite(Number(trimmed))) return new RpcDouble(Number(trimmed));
  throw new NetlabError('E_USAGE', `${JSON.stringify(text)} is not a number`, { hint: 'give numbers such as 12, -3, 2.5 or 1e3' });
}

/** What a one-shot command takes: its parameters in order, the last `optional` of them may be left out. */
export interface Arity {
  names: readonly string[];
  optional?: number;
  /** The last parameter takes the rest of the line (a phone number with spaces). */
  rest?: boolean;
  /** "operand" for calc; "argument" by default. */
  noun?: string;
  /** Said instead of "see: netlab NAME --help". */
  hint?: string;
}

/**
 * `calc add 1 2 3`: a usage error that names what the command takes ("calc add takes 2 operands
 * (<a> <b>), got 3"), rather than an operand dropped in silence. Too few is the same error.
 */
export function checkArity(command: string, given: readonly string[], arity: Arity): void {
  const max = arity.names.length;
  const min = max - (arity.optional ?? 0);
  if (given.length >= min && (arity.rest || given.length <= max)) return;
  const noun = arity.noun ?? 'argument';
  const count = min === max ? String(max) : `${min} to ${max}`;
  const names = arity.names.map((name, i) => (i < min ? `<${name}>` : `[${name}]`)).join(' ');
  const takes = max === 0 ? `takes no ${noun}s` : `takes ${count} ${noun}${max === 1 ? '' : 's'} (${names})`;
  throw new NetlabError('E_USAGE', `${command} ${takes}, got ${given.length}`, { hint: arity.hint ?? `see: netlab ${command.split(' ')[0]} --help` });
}

/** One call for a one-shot command: a fault ends it as an error that reads "Fault 2: division by zero". */
export async function callOrFail(client: RpcClient, method: string, params: readonly RpcValue[]): Promise<RpcValue> {
  try {
    return await client.call(method, params);
  } catch (error) {
    if (!isRpcFault(error)) throw error;
    throw new NetlabError('E_REMOTE', error.toString(), { details: error.toJSON() });
  }
}
