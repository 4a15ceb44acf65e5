// The `netlab` command: `netlab list`, `netlab NAME …`, `netlab start|stop|restart|status|logs NAME`.

// Start-up matters here (every command a student types pays it): `--help` loads nothing more,
// and the configuration, the registry, netlab's own commands and the runner are imported only
// by the commands that use them (bench/cli.ts measures it).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { codeRoot, packageRoot, runningCompiled } from '../paths.ts';
import { ExitCode, NetlabError } from '../errors.ts';
import { Output } from './output.ts';
import { argumentsIfMain, runAsProcess } from './process.ts';
import type { RunIO } from './run.ts';
import type { Exercise } from './exercise.ts';

/** netlab's own commands (lib/cli/builtins.ts, loaded only for them); a test checks the list. */
export const builtinNames = ['list', 'start', 'stop', 'restart', 'status', 'logs'];

const usage = `netlab — classic client–server network programs

Usage:
  netlab list                     the exercises (servers, clients, tools)
  netlab NAME [options]           run one: netlab fingerd --port 7979
  netlab NAME --help              its options (or: netlab help NAME)
  netlab --version                netlab's version and Node's
  netlab start NAME [--name ID] [options]
                                  run a server in the background, as instance NAME@PORT
                                  (or NAME@ID); several may run at once
  netlab stop NAME[@ID] [--all]   stop it (SIGTERM, then SIGKILL); --all: every instance
  netlab stop --all               stop every running server
  netlab restart NAME[@ID]        stop it and start it again with the same arguments
  netlab status [NAME[@ID]]       each instance: running / stale / foreign, pid, address, uptime
  netlab logs NAME[@ID] [-f] [-n N]
                                  its request log (NAME@ID: that instance's lines only)
`;

/** Resolves the command line to the exercise to run and its arguments. */
export async function resolveCommand(argv: string[], io: Pick<RunIO, 'env' | 'cwd'> = {}): Promise<[Exercise, string[]] | undefined> {
  const [name, ...rest] = argv;
  if (name === 'help' && rest[0]) return resolveCommand([rest[0], '--help'], io);
  if (textAnswer(argv) !== undefined) return undefined;
  if (name.startsWith('-')) throw new NetlabError('E_USAGE', `unknown option ${name}`, { hint: 'netlab --help lists the commands and options' });
  const [{ loadConfig }, { Registry }] = await Promise.all([import('../config/load.ts'), import('./registry.ts')]);
  const config = await loadConfig({ env: io.env, cwd: io.cwd });
  const registry = new Registry({
    root: codeRoot,
    packages: config.plugins,
    packageBase: config.root,
    folders: config.root !== packageRoot ? [path.join(config.root, 'plugins')] : [],
    useCatalogue: runningCompiled,
  });
  if (builtinNames.includes(name)) {
    const { builtinCommands } = await import('./builtins.ts');
    return [builtinCommands(registry)[name], rest];
  }
  const found = await registry.find(name);
  if (found) return [found.exercise, rest];
  const names = [...(await registry.list()).keys()];
  const near = names.filter((n) => n.includes(name) || name.includes(n));
  throw new NetlabError('E_USAGE', `no exercise named "${name}"`, {
    hint: near.length ? `did you mean ${near.join(' or ')}?` : 'netlab list shows them all',
  });
}

/** The whole CLI as a function of its arguments, for tests: resolves to the exit code. */
export async function netlab(argv: string[], io: RunIO = {}): Promise<number> {
  const out = new Output({ stdout: io.stdout ?? process.stdout, stderr: io.stderr ?? process.stderr });
  let resolved: [Exercise, string[]] | undefined;
  try {
    resolved = await resolveCommand(argv, io);
  } catch (error) {
    out.error(error as NetlabError);
    return (error as NetlabError).exitCode ?? ExitCode.failure;
  }
  if (!resolved) {
    out.line(textAnswer(argv) ?? usage);
    return argv.length === 0 ? ExitCode.usage : ExitCode.ok;
  }
  const { runExercise } = await import('./run.ts');
  return runExercise(resolved[0], resolved[1], io);
}

/** Runs the CLI as this process (bin/netlab.js, and the daemons started by `netlab start`). */
export async function netlabMain(argv: string[]): Promise<void> {
  let resolved: [Exercise, string[]] | undefined;
  try {
    resolved = await resolveCommand(argv);
  } catch (error) {
    new Output({ stdout: process.stdout, stderr: process.stderr }).error(error as NetlabError);
    process.exitCode = (error as NetlabError).exitCode ?? ExitCode.failure;
    return;
  }
  if (resolved) return runAsProcess(resolved[0], resolved[1]);
  process.stdout.write(`${textAnswer(argv) ?? usage}\n`);
  process.exitCode = argv.length === 0 ? ExitCode.usage : ExitCode.ok;
}

/** What netlab answers by itself, with no exercise: the usage, or its version (as `node --version` does). */
function textAnswer([name]: string[]): string | undefined {
  if (!name || name === '--help' || name === '-h' || name === 'help') return usage.trimEnd();
  if (name === '--version' || name === '-V' || name === 'version') {
    const { version } = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
    return `netlab ${version} (Node ${process.version})`;
  }
  return undefined;
}

const args = argumentsIfMain(import.meta.url, process.argv);
if (args) void netlabMain(args);
