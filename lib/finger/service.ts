// fingerd as the configuration describes it: the backend chosen, the limits in milliseconds.
// The script, the tour and the tests all start fingerd through here, so they agree.

import type { Logger } from 'pino';
import { NetlabError } from '../errors.ts';
import type { ServerHandle } from '../services/handle.ts';
import { findExecutable } from '../executables.ts';
import { resolveBackendName, type BackendName, type FingerBackend } from './backend.ts';
import { createBuiltinBackend } from './builtin.ts';
import type { FingerConfig } from './config.ts';
import { startFingerServer } from './server.ts';
import { createSystemBackend } from './system.ts';

export function createBackend(settings: FingerConfig, name: BackendName = resolveBackendName(settings)): FingerBackend {
  if (name === 'builtin') {
    const { passwdFile, utmpFile, lastlogFile, mailDir } = settings;
    return createBuiltinBackend({ passwdFile, utmpFile, lastlogFile, mailDir, maxFileBytes: settings.maxAnswerBytes, freshMs: settings.freshness * 1000 });
  }
  const binary = findExecutable(settings.fingerBinary);
  if (!binary) {
    throw new NetlabError('E_TOOL_MISSING', `the system backend needs a finger program, and "${settings.fingerBinary}" is not there`, {
      hint: 'install it (Debian: apt install finger), set finger.fingerBinary, or use --backend builtin',
    });
  }
  return createSystemBackend({ binary, timeoutMs: settings.answerTimeout * 1000, maxBytes: settings.maxAnswerBytes });
}

/** Starts fingerd on host:port with the `finger` section of the configuration. */
export function startConfiguredFingerd(options: { host: string; port: number; settings: FingerConfig; log?: Logger }): Promise<ServerHandle> {
  const { settings } = options;
  return startFingerServer({
    host: options.host,
    port: options.port,
    backend: createBackend(settings),
    allowForwarding: settings.allowForwarding,
    forwardPort: settings.forwardPort,
    queryTimeoutMs: settings.queryTimeout * 1000,
    answerTimeoutMs: settings.answerTimeout * 1000,
    maxConnections: settings.maxConnections,
    maxAnswerBytes: settings.maxAnswerBytes,
    log: options.log,
  });
}
