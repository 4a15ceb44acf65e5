// What fingerd asks for an answer: a backend turns a local query (RFC 1288 {Q1}) into text.
// `auto` picks the machine's finger program when there is one, else the builtin one.

import { findExecutable } from '../executables.ts';
import type { FingerConfig } from './config.ts';
import type { LocalQuery } from './query.ts';

export type BackendName = 'builtin' | 'system';

export interface FingerAnswer {
  /** The answer, lines separated by \n (the server turns them into CRLF and filters them). */
  text: string;
  outcome: 'ok' | 'no-such-user';
}

export interface FingerBackend {
  readonly name: BackendName;
  answer(query: LocalQuery): Promise<FingerAnswer>;
}

/** The backend `auto` means on this machine. */
export function resolveBackendName(config: Pick<FingerConfig, 'backend' | 'fingerBinary'>): BackendName {
  if (config.backend !== 'auto') return config.backend;
  return findExecutable(config.fingerBinary) ? 'system' : 'builtin';
}

/** "No such user" in the form BSD finger prints it, with the name cut short. */
export function noSuchUser(user: string): FingerAnswer {
  return { text: `finger: ${user.slice(0, 64)}: no such user.\n`, outcome: 'no-such-user' };
}
