// netlab's own commands: list the exercises, and treat the servers as Unix services
// (start, stop, restart, status, logs). Each is an exercise too, so help and errors work alike.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedConfig } from '../config/load.ts';
import {
  asksForAnyPort,
  describeStale,
  forgetStale,
  selectInstances,
  serviceStatus,
  startDaemon,
  stopInstance,
  theInstance,
  type InstanceRecord,
  type Selection,
  type ServiceReport,
} from '../services/daemon.ts';
import { formatAddress } from '../services/handle.ts';
import { instanceName, judgeServicePidfile, parseInstanceName, serviceLog } from '../services/instances.ts';
import { formatLogLine } from '../services/log.ts';
import { followLog, readInstanceLines, readLastLines } from '../services/logfile.ts';
import { describePidfile } from '../services/pidfile.ts';
import { jsonArg } from './args.ts';
import { parseCount, parseSeconds } from '../values.ts';
import { NetlabError } from '../errors.ts';
import { defineExercise, type Exercise } from './exercise.ts';
import type { Output } from './output.ts';
import type { Registry } from './registry.ts';

// main.ts beside this file, or main.js in the compiled copy: a daemon runs the way its parent does.
const here = fileURLToPath(import.meta.url);
const entry = path.join(path.dirname(here), `main${path.extname(here)}`);

const serviceArg = {
  service: { type: 'positional', description: 'the service, or one instance of it: fingerd, fingerd@7979 (see netlab status)', required: true },
} as const;
const instanceArg = {
  name: { type: 'string', description: 'name the instance SERVICE@NAME (default: SERVICE@PORT)', valueHint: 'name' },
} as const;
const timeoutArg = { timeout: { type: 'string', description: 'seconds to wait for a graceful stop before SIGKILL (default 5)' } } as const;

export function builtinCommands(registry: Registry): Record<string, Exercise> {
  /** The service exercise called `name`, or an error that lists the services there are. */
  async function serviceNamed(name: string): Promise<Exercise> {
    const found = await registry.find(name);
    if (found?.exercise.service) return found.exercise;
    const services = [...(await registry.summaries()).values()].filter((e) => e.service).map((e) => e.name);
    throw new NetlabError(found ? 'E_USAGE' : 'E_NOT_FOUND', found ? `${name} is not a server, so it cannot run as a service` : `no service named "${name}"`, {
      hint: `services: ${services.join(', ')}`,
    });
  }

  /** The instances `target` names, once its service is known to exist. */
  async function selection(target: string, config: LoadedConfig): Promise<Selection> {
    const selected = selectInstances(target, config);
    await serviceNamed(selected.service);
    return selected;
  }

  async function start(service: string, args: string[], name: string | undefined, config: LoadedConfig, out: Output): Promise<InstanceRecord> {
    await serviceNamed(service);
    const record = await startDaemon({ service, args, name, config, entry });
    const pidfile = record.pidfile ? `, pidfile ${record.pidfile}` : '';
    out.result(record, () =>
      out.line(`${instanceName(record)} started: pid ${record.pid}, ${record.address.protocol} ${formatAddress(record.address)}, log ${record.log}${pidfile}`),
    );
    if (!record.pidfile) {
      const verdict = judgeServicePidfile(config, service);
      if (verdict.kind === 'held') out.info(`the pidfile ${verdict.pidfile} stays with the first instance (pid ${verdict.pid})`);
      else out.warn(`${describePidfile(verdict) ?? `no pidfile at ${verdict.pidfile}`}; ${instanceName(record)} runs without one`);
    }
    return record;
  }

  /** Stops the instances chosen; stale records are cleared on the way, and nothing else is signalled. */
  async function stop(chosen: Selection, config: LoadedConfig, out: Output, timeout: string | undefined, all = false): Promise<void> {
    const milliseconds = parseSeconds(timeout, 5);
    forgetStale(chosen, config);
    if (chosen.live.length > 0) for (const record of chosen.stale) out.info(describeStale(record)); // else the error says it
    const records = all && chosen.live.length > 0 ? chosen.live : [theInstance(chosen, 'stop')];
    const results = await Promise.all(records.map((record) => stopInstance(record, config.pidDir, milliseconds)));
    for (const result of results.filter((r) => r.killed)) {
      out.warn(`${result.instance} (pid ${result.pid}) did not stop within ${milliseconds / 1000} s after SIGTERM: killed it with SIGKILL`);
    }
    out.result(all ? results : results[0], () => results.forEach((result) => out.line(`${result.instance} stopped (pid ${result.pid})`)));
  }

  return {
    list: defineExercise({
      name: 'list',
      description: 'list the exercises',
      args: { ...jsonArg },
      async run({ out }) {
        const rows = [...(await registry.summaries()).values()].map(({ name, service, description, source }) => ({
          name,
          service,
          description,
          source: path.relative(process.cwd(), source) || source,
        }));
        out.result(rows, () => out.table(rows.map((r) => ({ ...r, service: r.service ? 'service' : '' })), ['name', 'service', 'description']));
      },
    }),
    start: defineExercise({
      name: 'start',
      description: 'start a server in the background, with a pidfile and a request log',
      args: { ...serviceArg, ...instanceArg, ...jsonArg },
      passThroughArgs: true,
      examples: ['netlab start fingerd --port 7979', 'netlab start fingerd --name relay --port 7980', 'netlab start udp-server -- --echo'],
      async run({ args, rawArgs, config, out }) {
        // Everything after the service is the server's own arguments (--name and --json stay ours).
        const own = withoutOwnFlags(rawArgs.slice(rawArgs.indexOf(args.service) + 1), ['--json', '--name']);
        await start(args.service, own, args.name, config, out);
      },
    }),
    stop: defineExercise({
      name: 'stop',
      description: 'stop a background server: SIGTERM, then SIGKILL after a timeout',
      args: {
        service: { ...serviceArg.service, required: false },
        ...timeoutArg,
        all: { type: 'boolean', description: 'every instance of the service; without a service, every running server' },
        ...jsonArg,
      },
      examples: ['netlab stop fingerd', 'netlab stop fingerd@7980', 'netlab stop fingerd --all', 'netlab stop --all'],
      async run({ args, config, out }) {
        if (args.service) return void (await stop(await selection(args.service, config), config, out, args.timeout, args.all === true));
        if (!args.all) throw new NetlabError('E_USAGE', 'stop: missing <service>', { hint: 'name one (netlab status lists them), or stop every running server with --all' });
        // Every service with a live instance, as `systemctl stop 'netlab-*'` would.
        const services = [...(await registry.summaries()).values()].filter((e) => e.service).map((e) => e.name);
        const running = (await Promise.all(services.map((name) => selection(name, config)))).filter((chosen) => chosen.live.length > 0);
        if (running.length === 0) return void out.result([], () => out.info('no server is running'));
        for (const chosen of running) await stop(chosen, config, out, args.timeout, true);
      },
    }),
    restart: defineExercise({
      name: 'restart',
      description: 'stop a background server (if running) and start it again with the same arguments',
      args: { ...serviceArg, ...instanceArg, ...timeoutArg, ...jsonArg },
      passThroughArgs: true,
      async run({ args, rawArgs, config, out }) {
        // Given arguments replace the running ones; without any, it restarts as it was started.
        const given = withoutOwnFlags(rawArgs.slice(rawArgs.indexOf(args.service) + 1), ['--timeout', '--json', '--name']);
        const chosen = await selection(args.service, config);
        let previous: InstanceRecord | undefined;
        if (chosen.live.length > 0) {
          previous = theInstance(chosen, 'restart');
          if (previous.mode === 'foreground') {
            throw new NetlabError('E_USAGE', `${instanceName(previous)} runs in the foreground (pid ${previous.pid}), so netlab cannot start it again`, {
              hint: `restart it where it runs, or netlab stop ${instanceName(previous)} and netlab start ${previous.service}`,
            });
          }
          await stop({ ...chosen, live: [previous] }, config, out, args.timeout);
        } else {
          previous = chosen.stale.length === 1 ? chosen.stale[0] : undefined; // crashed: restart it as it was
          forgetStale(chosen, config);
        }
        // SERVICE@PORT names the unnamed instance on that port: with no record of it, start it there.
        const port = !previous && chosen.id !== undefined && /^\d+$/.test(chosen.id) ? chosen.id : undefined;
        const name = args.name ?? (previous ? (previous.named ? previous.id : undefined) : port ? undefined : chosen.id);
        const serverArgs = given.length ? given : (previous?.args ?? (port ? ['--port', port] : []));
        const record = await start(chosen.service, serverArgs, name, config, out);
        if (previous && !given.length && asksForAnyPort(previous.args) && previous.address.port !== record.address.port) {
          out.info(`${instanceName(previous)} was started with --port 0, so the system chose a new port: it is now ${instanceName(record)}`);
        }
      },
    }),
    status: defineExercise({
      name: 'status',
      description: 'show every service and each of its instances: running, stopped, stale or foreign, pid, address, uptime',
      args: { service: { type: 'positional', description: 'one service, or one instance (default: all)', required: false }, ...jsonArg },
      async run({ args, config, out }) {
        if (args.service) await selection(args.service, config); // an unknown name is an error
        const targets = args.service
          ? [args.service]
          : [...(await registry.summaries()).values()].filter((e) => e.service).map((e) => e.name);
        const reports = targets.flatMap((target) => serviceStatus(target, config));
        const columns = ['service', 'status', 'pid', 'address', 'uptime', ...(reports.some((report) => report.note) ? ['note'] : [])];
        out.result(reports, () => out.table(reports.map(statusRow), columns));
        return args.service && !reports.some((report) => report.status === 'running') ? 1 : 0; // like `service x status`
      },
    }),
    logs: defineExercise({
      name: 'logs',
      description: "show a service's request log (one line per request), or one instance's lines of it",
      args: {
        ...serviceArg,
        follow: { type: 'boolean', alias: 'f', description: 'keep printing new lines until Ctrl-C' },
        lines: { type: 'string', alias: 'n', description: 'how many of the last lines (default 20)' },
        raw: { type: 'boolean', description: 'the JSON lines as stored' },
      },
      examples: ['netlab logs fingerd', 'netlab logs fingerd@7979 -f'],
      async run({ args, config, out, signal }) {
        const { service, id } = parseInstanceName(args.service);
        await serviceNamed(service);
        const file = serviceLog(config, service);
        const show = (line: string) => out.line(args.raw ? line : formatLogLine(line));
        const count = parseCount(args.lines, 20, '--lines');
        // All instances share the file; SERVICE@ID keeps the lines of that one (logfile.ts).
        const { lines, sorter } = id === undefined ? { lines: readLastLines(file, count), sorter: undefined } : readInstanceLines(file, args.service, count);
        if (lines.length === 0 && !args.follow) {
          const chosen = id === undefined ? undefined : selectInstances(args.service, config);
          if (chosen && chosen.live.length + chosen.stale.length === 0) throw new NetlabError('E_NOT_FOUND', `no instance ${args.service} has logged or runs`, { hint: `netlab status ${service} lists its instances` });
          out.info(`${args.service} has logged nothing yet (${file})`);
        }
        lines.forEach(show);
        if (args.follow) await followLog(file, (line) => (sorter ? sorter.take(line) : [line]).forEach(show), signal);
      },
    }),
  };
}

/** The server's arguments: what follows the name, less the flags that belong to start/restart. */
function withoutOwnFlags(args: string[], own: string[]): string[] {
  const takesValue = new Set(['--timeout', '--name']);
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const flag = args[i].split('=')[0];
    if (args[i] === '--') continue;
    if (own.includes(flag)) {
      if (takesValue.has(flag) && !args[i].includes('=')) i++; // and its value
      continue;
    }
    kept.push(args[i]);
  }
  return kept;
}

function statusRow(report: ServiceReport): Record<string, string> {
  return {
    service: report.instance,
    status: report.status,
    pid: report.pid ? String(report.pid) : '-',
    address: report.port !== undefined ? `${report.protocol} ${formatAddress({ host: report.host!, port: report.port })}` : '-',
    uptime: report.uptimeSeconds !== undefined ? formatDuration(report.uptimeSeconds) : '-',
    note: report.note ?? '',
  };
}

/** An uptime as `status` shows it: 42s, 5m07s, 26h03m (hours are not folded into days). */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}
