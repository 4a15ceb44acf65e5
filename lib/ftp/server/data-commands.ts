// Data-connection set-up (RFC 959 §3.2): PASV and EPSV (we listen), PORT and EPRT (we connect),
// the latter only back to the client itself: no FTP bounce (RFC 2577).

import net from 'node:net';
import type { CommandContext, LogFields } from './command-context.ts';
import { ActiveChannel, PassiveChannel, plainAddress } from './data-channel.ts';
import { foreignPortOwner } from './port-owner.ts';

/** PASV (RFC 959 §4.1.2) and EPSV (RFC 2428 §3). */
export async function passive({ connection, command, data, passiveAddress }: CommandContext): Promise<void> {
  const extended = command.directive === 'EPSV';
  const family = net.isIPv6(plainAddress(connection.commandSocket.localAddress)) ? '2' : '1';
  if (extended && command.arg && command.arg.toUpperCase() !== 'ALL' && command.arg !== family) {
    return void (await connection.reply(522, `Network protocol not supported, use (${family})`));
  }
  const address = passiveAddress ?? plainAddress(connection.commandSocket.localAddress);
  if (!extended && !net.isIPv4(address)) return void (await connection.reply(425, 'PASV cannot express an IPv6 address: use EPSV'));
  connection.connector.end();
  const channel = new PassiveChannel(connection, data);
  connection.connector = channel;
  const port = await channel.listen();
  if (extended) return void (await connection.reply(229, `Entering Extended Passive Mode (|||${port}|)`));
  await connection.reply(227, `Entering Passive Mode (${address.split('.').join(',')},${port >> 8},${port & 255})`);
}

/**
 * PORT h1,h2,h3,h4,p1,p2 and EPRT |af|addr|port|. The server connects only back to the client's
 * own address and to an unprivileged port: anything else is the FTP bounce attack (RFC 2577 §3).
 */
export async function active({ connection, command, data }: CommandContext): Promise<LogFields> {
  const target = command.directive === 'PORT' ? parsePort(command.arg ?? '') : parseExtendedPort(command.arg ?? '');
  if (typeof target === 'string') {
    await connection.reply(target.startsWith('522') ? 522 : 501, target.replace(/^522 /, ''));
    return { refused: target };
  }
  const client = plainAddress(connection.commandSocket.remoteAddress);
  let refusal: string | undefined;
  if (!sameAddress(target.host, client)) refusal = `${target.host} is not your address (FTP bounce refused, RFC 2577)`;
  else if (target.port < 1024) refusal = `port ${target.port} is privileged (FTP bounce refused, RFC 2577)`;
  else refusal = foreignPortOwner(
    { host: client, port: connection.commandSocket.remotePort ?? 0 },
    { host: plainAddress(connection.commandSocket.localAddress), port: connection.commandSocket.localPort ?? 0 },
    target,
  );
  if (refusal) {
    await connection.reply(504, `${command.directive} refused: ${refusal}`);
    return { refused: `${target.host}:${target.port}` };
  }
  connection.connector.end();
  connection.connector = new ActiveChannel(connection, data, target);
  await connection.reply(200, `${command.directive} command successful`);
  return { target: `${target.host}:${target.port}` };
}

function parsePort(argument: string): { host: string; port: number } | string {
  const parts = argument.trim().split(',');
  if (parts.length !== 6 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return 'Syntax: PORT h1,h2,h3,h4,p1,p2';
  const numbers = parts.map(Number);
  return { host: numbers.slice(0, 4).join('.'), port: numbers[4] * 256 + numbers[5] };
}

/** RFC 2428 §2: the first character is the delimiter; 1 is IPv4, 2 is IPv6. */
function parseExtendedPort(argument: string): { host: string; port: number } | string {
  const delimiter = argument[0];
  const fields = delimiter ? argument.split(delimiter) : [];
  if (fields.length !== 5 || fields[0] !== '' || fields[4] !== '') return 'Syntax: EPRT |1|address|port|';
  const [, protocol, host, port] = fields;
  if (protocol !== '1' && protocol !== '2') return '522 Network protocol not supported, use (1,2)';
  if (net.isIP(host) !== (protocol === '1' ? 4 : 6)) return `Bad ${protocol === '1' ? 'IPv4' : 'IPv6'} address: ${host}`;
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return `Bad port: ${port}`;
  return { host, port: Number(port) };
}

/** Compares addresses as addresses ("::1" and "0:0::1" are one), through a BlockList. */
function sameAddress(a: string, b: string): boolean {
  const family = net.isIPv6(a) ? 'ipv6' : 'ipv4';
  if (net.isIP(b) === 0 || (net.isIPv6(b) ? 'ipv6' : 'ipv4') !== family) return false;
  const list = new net.BlockList();
  list.addAddress(a, family);
  return list.check(b, family);
}

