#!/usr/bin/env -S npx zx
// fingerd: the RFC 1288 finger server of Lab 2, as a netlab service (pidfile, request log).
// `netlab fingerd` runs it in the foreground; `netlab start fingerd` as a daemon.

import { servicePort } from '../lib/config/define.ts';
import { hostArg, portArg } from '../lib/cli/args.ts';
import { parseCount, parsePort } from '../lib/values.ts';
import { NetlabError } from '../lib/errors.ts';
import { defineExercise } from '../lib/cli/exercise.ts';
import { runIfMain } from '../lib/cli/process.ts';
import { resolveBackendName } from '../lib/finger/backend.ts';
import type { FingerConfig } from '../lib/finger/config.ts';
import { startConfiguredFingerd } from '../lib/finger/service.ts';

const backends = ['auto', 'builtin', 'system'] as const;

export default defineExercise({
  name: 'fingerd',
  description: 'RFC 1288 finger server: who is logged in, and each user (builtin answers or the system finger)',
  service: true,
  args: {
    ...hostArg,
    ...portArg('finger'),
    backend: { type: 'string', description: 'builtin (TypeScript), system (the finger program) or auto (default from config finger.backend)', valueHint: 'name' },
    allowForwarding: { type: 'boolean', description: 'forward user@host queries one hop (RFC 1288 §3.2.1: off by default)' },
    maxConnections: { type: 'string', description: 'connections served at once (default from config finger.maxConnections)', valueHint: 'n' },
  },
  examples: [
    'netlab fingerd                        # 127.0.0.1:7979, backend auto',
    'netlab fingerd --backend builtin --port 0',
    'netlab start fingerd                  # as a daemon; pidfile from config pidFiles.fingerd',
    'sudo netlab fingerd --port 79         # where the BSD finger client looks',
  ],
  async run({ args, config, log, out }) {
    const backend = args.backend ?? config.finger.backend;
    if (!(backends as readonly string[]).includes(backend)) {
      throw new NetlabError('E_USAGE', `--backend ${JSON.stringify(backend)} is not a backend`, { hint: `choose one of: ${backends.join(', ')}` });
    }
    const settings: FingerConfig = {
      ...config.finger,
      backend: backend as FingerConfig['backend'],
      allowForwarding: args.allowForwarding ?? config.finger.allowForwarding,
      maxConnections: parseCount(args.maxConnections, config.finger.maxConnections, '--max-connections'),
    };
    const server = await startConfiguredFingerd({ host: config.host, port: parsePort(args.port, servicePort(config, 'finger')), settings, log });
    out.info(`backend ${resolveBackendName(settings)}; forwarding ${settings.allowForwarding ? `on (one hop, to port ${settings.forwardPort})` : 'refused'}`);
    return server;
  },
});

runIfMain(import.meta);
