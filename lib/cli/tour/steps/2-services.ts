// Tour step: servers as Unix services — start the example plugin (qotd) as a daemon, ask its
// status, use it, read its request log, stop it. The same as `netlab start|status|logs|stop qotd`.

import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceStatus, startDaemon, stopService } from '../../../services/daemon.ts';
import { formatAddress } from '../../../services/handle.ts';
import { formatLogLine } from '../../../services/log.ts';
import { readLastLines } from '../../../services/logfile.ts';
import type { TourStep } from '../tour.ts';

const here = fileURLToPath(import.meta.url);
const cliEntry = path.resolve(path.dirname(here), `../../main${path.extname(here)}`); // .js in the compiled copy

function readQuote(port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    net.connect(port, host).on('data', (chunk) => (text += chunk)).on('end', () => resolve(text.trim())).on('error', reject);
  });
}

export default {
  title: 'Services (start, status, logs, stop)',
  async run({ config, out, defer }) {
    // The daemon is a separate process: it learns the tour's private folders from the environment.
    const env = { ...process.env, NETLAB_PID_DIR: config.pidDir, NETLAB_LOG_DIR: config.logDir, NETLAB_DATA_DIR: config.dataDir };
    out.line('$ netlab start qotd --port 0');
    const state = await startDaemon({ service: 'qotd', args: ['--port', '0'], config, entry: cliEntry, env });
    defer(() => stopService('qotd', config).catch(() => undefined));
    out.line(`  qotd started: pid ${state.pid}, ${formatAddress(state.address!)}, pidfile ${path.basename(state.pidfile ?? '-')}`);

    const [status] = serviceStatus('qotd', config);
    out.line(`$ netlab status qotd\n  ${status.instance} ${status.status} pid ${status.pid} port ${status.port}`);

    const quote = await readQuote(state.address!.port, state.address!.host);
    out.line(`$ nc ${state.address!.host} ${state.address!.port}\n  ${quote}`);

    const stopped = await stopService('qotd', config);
    out.line(`$ netlab stop qotd\n  qotd stopped (pid ${stopped.pid})`);
    out.line('$ netlab logs qotd -n 3');
    for (const line of readLastLines(state.log, 3)) out.line(`  ${formatLogLine(line)}`);
    return `daemon pid ${state.pid} served "${quote.slice(0, 30)}…", stopped cleanly`;
  },
} satisfies TourStep;
