// Opening a logged-in session from a URL and the command-line flags, with the --trace sink that
// shows the PI dialogue (passwords masked by the control connection) on stderr.

import type { Output } from '../output.ts';
import { FtpClient } from '../../ftp/client/client.ts';
import type { TraceSink } from '../../ftp/client/control.ts';
import type { FtpUrl } from '../../ftp/client/url.ts';

export interface SessionFlags {
  tls?: boolean;
  insecure?: boolean;
  active?: boolean;
  trace?: boolean;
  /** Connect, reply and data-idle timeout. */
  timeoutMs: number;
}

/** "-> USER anonymous", "<- 331 …", "** connected to …": on stderr, so stdout keeps only results. */
export function traceTo(out: Output): TraceSink {
  const marks = { sent: '->', received: '<-', note: '**' } as const;
  return (direction, line) => out.stderr.write(`${marks[direction]} ${line}\n`);
}

/** Connects and logs in (anonymous unless the URL names a user). */
export async function openSession(url: FtpUrl, flags: SessionFlags, out: Output, signal?: AbortSignal): Promise<FtpClient> {
  const client = await FtpClient.connect({
    host: url.host,
    port: url.port,
    tls: flags.tls,
    insecure: flags.insecure,
    active: flags.active,
    connectTimeoutMs: flags.timeoutMs,
    replyTimeoutMs: flags.timeoutMs,
    dataIdleTimeoutMs: flags.timeoutMs,
    signal,
    trace: flags.trace ? traceTo(out) : undefined,
  });
  try {
    await client.login(url.user ?? 'anonymous', url.password);
  } catch (error) {
    client.close();
    throw error;
  }
  return client;
}

/** Runs `work` in a session and always leaves with QUIT. */
export async function withSession<T>(url: FtpUrl, flags: SessionFlags, out: Output, signal: AbortSignal | undefined, work: (client: FtpClient) => Promise<T>): Promise<T> {
  const client = await openSession(url, flags, out, signal);
  try {
    return await work(client);
  } finally {
    await client.quit();
  }
}
