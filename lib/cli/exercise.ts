// What an exercise is: the default export of each file in scripts/ and plugins/.
// defineExercise is an identity function that brands the object so the registry can check it.

import type { ArgsDef, ParsedArgs } from 'citty';
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load.ts';
import type { ServerHandle } from '../services/handle.ts';
import type { Output } from './output.ts';

export interface ExerciseContext<A extends ArgsDef = ArgsDef> {
  /** The parsed command-line arguments (citty). */
  args: ParsedArgs<A>;
  /** The raw arguments, as given after the exercise name. */
  rawArgs: string[];
  /** The configuration, with --host and --config flags applied. */
  config: LoadedConfig;
  /** The request log: one JSON line per request or event (silent for non-service exercises). */
  log: Logger;
  /** Printing for people (or JSON with --json); the only way an exercise writes to the terminal. */
  out: Output;
  /** Aborted on Ctrl-C or SIGTERM: long-running clients stop, servers close. */
  signal: AbortSignal;
}

/**
 * What run() may return: nothing (done), an exit code, or a running server. A server keeps the
 * command alive until Ctrl-C/SIGTERM; then the runner closes it, and a service drops its pidfile.
 */
export type ExerciseResult = void | number | ServerHandle;

export interface ExerciseDefinition<A extends ArgsDef = ArgsDef> {
  /** The command name: lower-case words joined by dashes (`fingerd`, `udp-client`). */
  name: string;
  /** One line for `netlab list` and --help. */
  description: string;
  args?: A;
  /** True for servers that `netlab start|stop|status` may run as a daemon. */
  service?: boolean;
  /** Sub-commands (`netlab social graph …`), each an exercise of its own. */
  subCommands?: Record<string, Exercise>;
  /** Unknown options are not errors: they stay in rawArgs for run() (`netlab start NAME --port 1`). */
  passThroughArgs?: boolean;
  /** Extra lines shown at the end of --help (examples). */
  examples?: string[];
  run?: (context: ExerciseContext<A>) => ExerciseResult | Promise<ExerciseResult>;
}

const brand = Symbol.for('netlab.exercise');

export type Exercise = ExerciseDefinition<any> & { readonly [brand]: true; readonly file?: string };

export function defineExercise<const A extends ArgsDef = ArgsDef>(definition: ExerciseDefinition<A>): Exercise {
  return Object.assign(definition as ExerciseDefinition<any>, { [brand]: true as const });
}

export function isExercise(value: unknown): value is Exercise {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
