// Runs one exercise: parses its arguments, loads the configuration, calls run(), and for a
// server keeps it up until Ctrl-C/SIGTERM, registered as an instance with a request log meanwhile.

import type { Writable } from 'node:stream';
import { parseArgs, renderUsage, type ArgsDef, type CommandDef } from 'citty';
import { loadConfig, type LoadedConfig } from '../config/load.ts';
import { formatAddress, isServerHandle, type ServerHandle } from '../services/handle.ts';
import { silentLog, type RequestLog } from '../services/log.ts';
import type { Registration } from '../services/instances.ts';
import { ExitCode, NetlabError, isNetlabError } from '../errors.ts';
import type { Exercise } from './exercise.ts';
import { fitColours, Output } from './output.ts';

export interface RunIO {
  stdout?: Writable;
  stderr?: Writable;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Aborting it stops the exercise as Ctrl-C would. */
  signal?: AbortSignal;
  /** Called once a server is listening (tests use it to learn the port). */
  onListening?: (server: ServerHandle) => void;
}

/** Runs an exercise with raw arguments and resolves to its exit code. Never throws. */
export async function runExercise(exercise: Exercise, rawArgs: string[], io: RunIO = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let out = new Output({ stdout, stderr });
  try {
    const [command, commandArgs, path] = selectSubCommand(exercise, rawArgs);
    if (wantsHelp(command, commandArgs) || (!command.run && command.subCommands)) {
      // citty colours its usage whenever CI, TEST and NO_COLOR=1 are unset (it never looks at
      // the terminal), and cannot colour once they are set: we strip, never add.
      // citty pads each row of its table to the widest one: no trailing spaces in what we print.
      const usage = fitColours(await renderUsage(toCittyCommand(command, path)), stdout, io.env ?? process.env).replace(/[ \t]+$/gm, '');
      stdout.write(`${usage}\n${formatExamples(command)}`);
      return ExitCode.ok;
    }
    const args = parseExerciseArgs(command, commandArgs, path);
    out = new Output({ stdout, stderr, json: args.json === true, quiet: args.quiet === true });
    const config = await loadConfig({
      env: io.env,
      cwd: io.cwd,
      overrides: typeof args.host === 'string' ? { host: args.host } : undefined,
      onNote: (note) => stderr.write(`note: ${note}\n`),
    });
    const signal = io.signal ?? new AbortController().signal;
    const service = exercise.service ? await startServiceBookkeeping(exercise.name, commandArgs, config, io.env ?? process.env) : undefined;
    try {
      const log = service?.log ?? silentLog;
      const result = await command.run!({ args, rawArgs: commandArgs, config, log, out, signal });
      if (isServerHandle(result)) {
        await serveUntilStopped(result, { name: path.join(' '), out, log, signal, io, service });
        return ExitCode.ok;
      }
      return typeof result === 'number' ? result : ExitCode.ok;
    } finally {
      service?.release();
    }
  } catch (error) {
    return reportError(error, out, io.env ?? process.env);
  }
}

interface ServiceBookkeeping {
  log: RequestLog;
  markListening(server: ServerHandle, out: Output): void;
  release(): void;
}

/**
 * A service registers as an instance (lib/services/instances.ts) from the moment it listens until
 * it exits. Not before: a service's one-shot modes (`ftpd --hash-password`) must work while the
 * daemon runs. `netlab start` tells its daemon so (NETLAB_DAEMON=1), and its --name
 * (NETLAB_INSTANCE). The first instance takes the service's pidfile; no instance blocks another.
 */
async function startServiceBookkeeping(name: string, args: string[], config: LoadedConfig, env: NodeJS.ProcessEnv): Promise<ServiceBookkeeping> {
  // Imported here, not above: a client never registers anything, and start-up is its whole cost.
  const [{ prepareStateDir }, { openRequestLog }, { instanceName, registerInstance, serviceLog }] = await Promise.all([
    import('../state-dirs.ts'),
    import('../services/log.ts'),
    import('../services/instances.ts'),
  ]);
  prepareStateDir(config, 'logDir');
  prepareStateDir(config, 'pidDir');
  const log = openRequestLog(serviceLog(config, name), name);
  const startedAt = new Date().toISOString();
  let registration: Registration | undefined;
  return {
    log,
    markListening(server, out) {
      const mode = env.NETLAB_DAEMON === '1' ? 'daemon' : 'foreground';
      registration = registerInstance(config, { service: name, args, address: server.address, mode, name: env.NETLAB_INSTANCE || undefined, startedAt });
      for (const note of registration.notes) out.warn(note);
      const instance = instanceName(registration.record);
      log.info({ event: 'start', instance, address: server.address }, `${instance} listening on ${formatAddress(server.address)}`);
    },
    release() {
      registration?.release();
    },
  };
}

async function serveUntilStopped(
  server: ServerHandle,
  context: { name: string; out: Output; log: RequestLog; signal: AbortSignal; io: RunIO; service?: ServiceBookkeeping },
): Promise<void> {
  const { name, out, log, signal, io, service } = context;
  try {
    service?.markListening(server, out);
  } catch (error) {
    await server.close();
    throw error;
  }
  out.info(`${name} listening on ${server.address.protocol} ${formatAddress(server.address)} — Ctrl-C to stop`);
  // Under --json the same news as a JSON line, so that a script learns the port it got (--port 0).
  if (out.json) out.jsonLine({ at: new Date().toISOString(), type: 'listening', server: name, address: server.address });
  io.onListening?.(server);
  if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  out.info(`${name}: stopping`);
  await server.close();
  log.info({ event: 'stop' }, `${name} stopped`);
}

/** `netlab social graph X` → the `graph` sub-command of `social`, with the arguments after it. */
function selectSubCommand(exercise: Exercise, rawArgs: string[]): [Exercise, string[], string[]] {
  let command = exercise;
  let args = rawArgs;
  const path = [exercise.name];
  while (command.subCommands && args.length > 0 && !args[0].startsWith('-')) {
    const next = command.subCommands[args[0]];
    if (!next) {
      throw new NetlabError('E_USAGE', `${path.join(' ')}: unknown command "${args[0]}"`, {
        hint: `choose one of: ${Object.keys(command.subCommands).join(', ')}`,
      });
    }
    path.push(args[0]);
    command = next;
    args = args.slice(1);
  }
  return [command, args, path];
}

/** citty's parser, plus what it leaves out: unknown flags and missing positionals are errors. */
function parseExerciseArgs(command: Exercise, rawArgs: string[], path: string[]) {
  const definitions: ArgsDef = command.args ?? {};
  const known = new Set<string>();
  for (const [name, definition] of Object.entries(definitions)) {
    known.add(name);
    known.add(toKebab(name));
    for (const alias of [definition.type === 'positional' ? [] : (definition as { alias?: string | string[] }).alias ?? []].flat()) known.add(alias);
  }
  for (const arg of command.passThroughArgs ? [] : rawArgs) {
    if (arg === '--') break;
    const match = /^--?(?:no-)?([^=]+)/.exec(arg);
    if (match && !/^-\d/.test(arg) && arg !== '-' && !known.has(match[1])) {
      throw new NetlabError('E_USAGE', `${path.join(' ')}: unknown option ${arg.split('=')[0]}`, {
        hint: `see: netlab ${path.join(' ')} --help`,
      });
    }
  }
  // citty would throw its own error for a missing required argument: we check those ourselves.
  const lenient = Object.fromEntries(Object.entries(definitions).map(([name, definition]) => [name, { ...definition, required: false }]));
  const args = parseArgs(rawArgs, lenient as ArgsDef);
  for (const [name, definition] of Object.entries(definitions)) {
    if (definition.type === 'string' && args[name] === '') {
      throw new NetlabError('E_USAGE', `${path.join(' ')}: --${toKebab(name)} needs a value`, {
        hint: `see: netlab ${path.join(' ')} --help`,
      });
    }
    if (definition.required && (args[name] === undefined || args[name] === '')) {
      throw new NetlabError('E_USAGE', `${path.join(' ')}: missing ${definition.type === 'positional' ? `<${name}>` : `--${toKebab(name)}`}`, {
        hint: `see: netlab ${path.join(' ')} --help`,
      });
    }
  }
  return args;
}

/**
 * The command as citty's usage renders it. Options are listed under their kebab-case names
 * (--max-connections, as the docs write them): citty prints an argument's key as it is, while
 * its parser takes both --max-connections and --maxConnections for a key `maxConnections`.
 */
function toCittyCommand(command: Exercise, path: string[]): CommandDef {
  const args: ArgsDef = Object.fromEntries(
    Object.entries((command.args ?? {}) as ArgsDef).map(([name, definition]) => [definition.type === 'positional' ? name : toKebab(name), definition]),
  );
  return {
    meta: { name: `netlab ${path.join(' ')}`, description: command.description },
    args,
    subCommands: command.subCommands
      ? Object.fromEntries(Object.entries(command.subCommands).map(([name, sub]) => [name, toCittyCommand(sub, [...path, name])]))
      : undefined,
  };
}

function formatExamples(command: Exercise): string {
  return command.examples?.length ? `Examples:\n${command.examples.map((line) => `  ${line}`).join('\n')}\n` : '';
}

function reportError(error: unknown, out: Output, env: NodeJS.ProcessEnv): number {
  if (isNetlabError(error)) {
    out.error(error);
    if (env.NETLAB_DEBUG && error.cause) out.stderr.write(`${(error.cause as Error).stack ?? String(error.cause)}\n`);
    return error.exitCode;
  }
  // Not a user's mistake: a bug. Say so plainly; the stack is there for whoever reports it.
  const wrapped = new NetlabError('E_REMOTE', `unexpected failure: ${(error as Error)?.message ?? String(error)}`, {
    hint: 'this is a bug in netlab; rerun with NETLAB_DEBUG=1 and report the trace',
  });
  out.error(wrapped);
  if (env.NETLAB_DEBUG) out.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
  return ExitCode.failure;
}

/** --help always; -h too, unless the exercise uses -h itself (finger's lab-style `-h HOST`). */
function wantsHelp(command: Exercise, args: string[]): boolean {
  const usesH = Object.values(command.args ?? {}).some((definition) => [(definition as { alias?: string | string[] }).alias ?? []].flat().includes('h'));
  return args.includes('--help') || (!usesH && args.includes('-h'));
}

function toKebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
