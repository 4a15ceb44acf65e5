// netlab's own commands: list the exercises, and treat the servers as Unix services
// (start, stop, restart, status, logs). Each is an exercise too, so help and errors work alike.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedConfig } from '../config/load.ts';
import { startDaemon, serviceStatus, stopService, type ServiceReport } from '../services/daemon.ts';
import { formatAddress } from '../services/handle.ts';
import { formatLogLine } from '../services/log.ts';
import { followLog, readLastLines } from '../services/logfile.ts';
import { readState, servicePaths } from '../services/pidfile.ts';
import { jsonArg, parseCount, parseSeconds } from './args.ts';
import { NetlabError } from './errors.ts';
import { defineExercise, type Exercise } from './exercise.ts';
import type { Output } from './output.ts';
import type { Registry } from './registry.ts';

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.ts');

const nameArg = { name: { type: 'positional', description: 'the service (see netlab status)', required: true } } as const;

export function builtinCommands(registry: Registry): Record<string, Exercise> {
  /** The service exercise called `name`, or an error that lists the services there are. */
  async function serviceNamed(name: string): Promise<Exercise> {
    const found = await registry.find(name);
    if (found?.exercise.service) return found.exercise;
    const services = [...(await registry.list()).values()].filter((e) => e.exercise.service).map((e) => e.exercise.name);
    throw new NetlabError(found ? 'E_USAGE' : 'E_NOT_FOUND', found ? `${name} is not a server, so it cannot run as a service` : `no service named "${name}"`, {
      hint: `services: ${services.join(', ')}`,
    });
  }

  async function start(name: string, args: string[], config: LoadedConfig, out: Output): Promise<void> {
    await serviceNamed(name);
    const state = await startDaemon({ name, args, config, entry });
    out.result(state, () =>
      out.line(`${name} started: pid ${state.pid}, ${state.address!.protocol} ${formatAddress(state.address!)}, log ${state.log}`),
    );
  }

  async function stop(name: string, config: LoadedConfig, out: Output, timeout: string | undefined): Promise<void> {
    await serviceNamed(name);
    const seconds = parseSeconds(timeout, 5);
    const result = await stopService(name, config, seconds);
    if (result.killed) out.warn(`${name} (pid ${result.pid}) did not stop within ${seconds / 1000} s after SIGTERM: killed it with SIGKILL`);
    out.result({ name, ...result }, () => out.line(`${name} stopped (pid ${result.pid})`));
  }

  const timeoutArg = { timeout: { type: 'string', description: 'seconds to wait for a graceful stop before SIGKILL (default 5)' } } as const;

  return {
    list: defineExercise({
      name: 'list',
      description: 'list the exercises',
      args: { ...jsonArg },
      async run({ out }) {
        const rows = [...(await registry.list()).values()].map(({ exercise, source }) => ({
          name: exercise.name,
          service: exercise.service === true,
          description: exercise.description,
          source: path.relative(process.cwd(), source) || source,
        }));
        out.result(rows, () => out.table(rows.map((r) => ({ ...r, service: r.service ? 'service' : '' })), ['name', 'service', 'description']));
      },
    }),
    start: defineExercise({
      name: 'start',
      description: 'start a server in the background, with a pidfile and a request log',
      args: { ...nameArg, ...jsonArg },
      passThroughArgs: true,
      examples: ['netlab start fingerd --port 7979', 'netlab start udp-server -- --echo'],
      async run({ args, rawArgs, config, out }) {
        // Everything after the name is the server's own arguments (--json stays ours).
        await start(args.name, withoutOwnFlags(rawArgs.slice(rawArgs.indexOf(args.name) + 1), ['--json']), config, out);
      },
    }),
    stop: defineExercise({
      name: 'stop',
      description: 'stop a background server: SIGTERM, then SIGKILL after a timeout',
      args: { ...nameArg, ...timeoutArg, ...jsonArg },
      async run({ args, config, out }) {
        await stop(args.name, config, out, args.timeout);
      },
    }),
    restart: defineExercise({
      name: 'restart',
      description: 'stop a background server (if running) and start it again with the same arguments',
      args: { ...nameArg, ...timeoutArg, ...jsonArg },
      passThroughArgs: true,
      async run({ args, rawArgs, config, out }) {
        // Given arguments replace the running ones; without any, it restarts as it was started.
        const given = withoutOwnFlags(rawArgs.slice(rawArgs.indexOf(args.name) + 1), ['--timeout', '--json']);
        const previous = readState(servicePaths(config, args.name).state)?.args ?? [];
        if (serviceStatus(args.name, config).status === 'running') await stop(args.name, config, out, args.timeout);
        await start(args.name, given.length ? given : previous, config, out);
      },
    }),
    status: defineExercise({
      name: 'status',
      description: 'show every service: running, stopped or stale, pid, port, uptime',
      args: { name: { type: 'positional', description: 'one service (default: all)', required: false }, ...jsonArg },
      async run({ args, config, out }) {
        const names = args.name
          ? [(await serviceNamed(args.name)).name]
          : [...(await registry.list()).values()].filter((e) => e.exercise.service).map((e) => e.exercise.name);
        const reports = names.map((name) => serviceStatus(name, config));
        out.result(reports, () => out.table(reports.map(statusRow), ['service', 'status', 'pid', 'address', 'uptime']));
        return args.name && reports[0].status !== 'running' ? 1 : 0; // like `service x status`
      },
    }),
    logs: defineExercise({
      name: 'logs',
      description: "show a service's request log (one line per request)",
      args: {
        ...nameArg,
        follow: { type: 'boolean', alias: 'f', description: 'keep printing new lines until Ctrl-C' },
        lines: { type: 'string', alias: 'n', description: 'how many of the last lines (default 20)' },
        raw: { type: 'boolean', description: 'the JSON lines as stored' },
      },
      async run({ args, config, out, signal }) {
        await serviceNamed(args.name);
        const file = servicePaths(config, args.name).log;
        const show = (line: string) => out.line(args.raw ? line : formatLogLine(line));
        const last = readLastLines(file, parseCount(args.lines, 20, '--lines'));
        if (last.length === 0 && !args.follow) out.info(`${args.name} has logged nothing yet (${file})`);
        last.forEach(show);
        if (args.follow) await followLog(file, show, signal);
      },
    }),
  };
}

/** The server's arguments: what follows the name, less the flags that belong to start/restart. */
function withoutOwnFlags(args: string[], own: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--') continue;
    if (own.includes(args[i])) {
      if (args[i] === '--timeout') i++; // and its value
      continue;
    }
    kept.push(args[i]);
  }
  return kept;
}

function statusRow(report: ServiceReport): Record<string, string> {
  return {
    service: report.name,
    status: report.status,
    pid: report.pid ? String(report.pid) : '-',
    address: report.port !== undefined ? `${report.protocol} ${formatAddress({ host: report.host!, port: report.port })}` : '-',
    uptime: report.uptimeSeconds !== undefined ? formatDuration(report.uptimeSeconds) : '-',
  };
}

/** An uptime as `status` shows it: 42s, 5m07s, 26h03m (hours are not folded into days). */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}
