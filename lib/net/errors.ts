// Socket errors in plain words: Node's EACCES, EADDRINUSE, ECONNREFUSED… become NetlabErrors
// that say what happened on which address, and what to do about it.

import { NetlabError, systemErrorCode } from '../errors.ts';
import { formatAddress } from '../services/handle.ts';

export interface SocketErrorContext {
  host: string;
  port: number;
  /** What we were doing: binding a server, or connecting/sending as a client. */
  operation: 'bind' | 'connect' | 'send' | 'receive';
  protocol?: 'tcp' | 'udp';
  /** Who holds the port, when the caller could find out (see ports). */
  owner?: string;
}

/** Turns any socket error into a NetlabError (a NetlabError passes through unchanged). */
export function socketError(error: unknown, context: SocketErrorContext): NetlabError {
  if (error instanceof NetlabError) return error;
  const { host, port, operation } = context;
  const protocol = context.protocol ?? 'tcp';
  const where = formatAddress({ host, port });
  const code = systemErrorCode(error);
  const options = { cause: error, details: { host, port, operation, protocol, errno: code } };
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      if (operation === 'bind' && port > 0 && port < 1024) {
        return new NetlabError('E_PORT_PRIVILEGED', `port ${port} is privileged (below 1024)`, {
          ...options,
          hint: `run as root or choose a port ≥ 1024 (e.g. --port ${suggestedPort(port)})`,
        });
      }
      return new NetlabError('E_PERMISSION', `the system refused to ${operation} on ${protocol} ${where}`, {
        ...options,
        hint: 'check firewall rules and permissions',
      });
    case 'EADDRINUSE':
      return new NetlabError('E_PORT_IN_USE', `${protocol} port ${port} on ${host} is already in use${context.owner ? ` by ${context.owner}` : ''}`, {
        ...options,
        hint: `stop that program, or choose another port (--port 0 picks a free one); netlab ports --port ${port} shows who holds it`,
      });
    case 'EADDRNOTAVAIL':
      return new NetlabError('E_ADDRESS_UNAVAILABLE', `${host} is not an address of this machine`, {
        ...options,
        hint: 'bind to 127.0.0.1 (loopback), 0.0.0.0 (every interface) or an address shown by `ip addr`',
      });
    case 'ECONNREFUSED':
      return protocol === 'udp'
        ? new NetlabError('E_PORT_UNREACHABLE', `port unreachable: nothing listens on udp ${where}`, {
            ...options,
            hint: 'start the server first (netlab udp-server), or check the port',
          })
        : new NetlabError('E_CONN_REFUSED', `connection refused: nothing listens on tcp ${where}`, {
            ...options,
            hint: 'start the server first, or check the host and port',
          });
    case 'ECONNRESET':
    case 'EPIPE':
      return new NetlabError('E_CONN_RESET', `the peer at ${where} closed the connection abruptly`, {
        ...options,
        hint: 'the server may have crashed or refused us; look at its log',
      });
    case 'EMSGSIZE':
      // RFC 768: the 16-bit length covers the 8-byte header; IPv4 takes 20 more of the 65,535.
      return new NetlabError('E_INPUT', `the datagram is too big for ${protocol} ${where}`, {
        ...options,
        hint: 'a UDP datagram carries at most 65,507 bytes over IPv4 (65,527 over IPv6); split the message',
      });
    case 'ETIMEDOUT':
      return new NetlabError('E_TIMEOUT', `no answer from ${protocol} ${where} in time`, {
        ...options,
        // A UDP client waiting for a reply heard no ICMP error either (that would have been
        // "port unreachable"): most likely the datagram arrived and the server chose not to answer.
        hint:
          protocol === 'udp' && operation === 'receive'
            ? 'no ICMP error came back, so something may well be listening: the server may not answer (netlab udp-server answers only when started with --echo); or the host is down, or a firewall drops the packets; or raise --timeout'
            : 'check that the host is up and that no firewall drops the packets; or raise --timeout',
      });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new NetlabError('E_HOST_UNREACHABLE', `no route to ${host}`, {
        ...options,
        hint: 'check the address and your network connection',
      });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new NetlabError('E_HOST_NOT_FOUND', `host ${JSON.stringify(host)} not found`, {
        ...options,
        hint: 'check the spelling, or use an IP address such as 127.0.0.1',
      });
    default:
      return new NetlabError('E_NETWORK', `${operation} on ${protocol} ${where} failed: ${(error as Error)?.message ?? String(error)}`, options);
  }
}

/** 23 → 9023, 79 → 7979: an unprivileged port that still reminds of the original. */
function suggestedPort(port: number): number {
  const twice = Number(`${port}${port}`);
  return twice >= 1024 && twice <= 65535 ? twice : port + 8000;
}

/** A connect timeout as an error, for clients that give up on their own. */
export function timeoutError(context: Omit<SocketErrorContext, 'owner'>, seconds: number): NetlabError {
  return socketError(Object.assign(new Error(`timed out after ${seconds} s`), { code: 'ETIMEDOUT' }), context);
}
