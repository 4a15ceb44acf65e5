// The bridge between an exercise and the operating-system process that runs it:
// signals become an AbortSignal, the exit code becomes process.exitCode.

import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode } from '../errors.ts';
import type { Exercise } from './exercise.ts';

/**
 * Ends a script: `runIfMain(import.meta)`. Runs the file's exercise when the file is the program
 * (node/tsx `scripts/x.ts`, or `npx zx scripts/x.ts`), and does nothing when it is imported.
 */
export function runIfMain(meta: ImportMeta): void {
  const args = argumentsIfMain(meta.url, process.argv);
  if (!args) return;
  // The module is still evaluating here; importing it again waits for it and yields its exports.
  void import(meta.url).then((module: { default: Exercise }) => runAsProcess(module.default, args));
}

/**
 * The script's own arguments when `url` is the program being run. Under node/tsx argv is
 * [node, script, …]; under zx it is [node, …/zx/build/cli.js, (zx flags), script, …].
 */
export function argumentsIfMain(url: string, argv: string[]): string[] | undefined {
  const self = realPath(fileURLToPath(url));
  let index = 1;
  if (argv[1] && /[\\/]zx[\\/]build[\\/]cli\.js$|[\\/]zx$/.test(realPath(argv[1]) ?? argv[1])) {
    index = argv.findIndex((arg, i) => i > 1 && !arg.startsWith('-'));
  }
  return index > 0 && argv[index] && realPath(path.resolve(argv[index])) === self ? argv.slice(index + 1) : undefined;
}

/** Runs an exercise as this process: Ctrl-C or SIGTERM stop it gracefully, a second Ctrl-C forces. */
export async function runAsProcess(exercise: Exercise, args: string[]): Promise<void> {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(ExitCode.interrupted);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.stdout.on('error', endIfReaderGone);
  process.stderr.on('error', endIfReaderGone);
  const { runExercise } = await import('./run.ts'); // not before: netlab --help needs no runner
  const code = await runExercise(exercise, args, { signal: controller.signal });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  // Flush what was printed, then leave even if a stray handle (stdin, a timer) would keep us.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

/**
 * `netlab tcp-server | head -1`: once head has exited, every write to the pipe fails with EPIPE
 * (Node ignores SIGPIPE, which would end a C program there). End as that program would, quietly,
 * with 128 + SIGPIPE, instead of an unhandled 'error' event's stack trace; any other error on
 * our own output stays one.
 */
function endIfReaderGone(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') process.exit(ExitCode.closedOutput);
  throw error;
}

function realPath(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}
