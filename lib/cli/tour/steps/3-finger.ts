// Tour step: finger (RFC 1288) — start fingerd with the builtin backend on a free port, finger a
// local user and `@localhost` (who is logged in), and show that forwarding is refused.

import os from 'node:os';
import { visibleControls } from '../../../text.ts';
import { finger } from '../../../finger/client.ts';
import { startConfiguredFingerd } from '../../../finger/service.ts';
import type { TourStep } from '../tour.ts';

export default {
  title: 'Finger (RFC 1288)',
  async run({ config, out, defer, signal }) {
    out.line('$ netlab fingerd --backend builtin --port 0');
    const server = await startConfiguredFingerd({ host: '127.0.0.1', port: 0, settings: { ...config.finger, backend: 'builtin' } });
    defer(() => server.close());
    const { host, port } = server.address;
    out.line(`  fingerd listening on ${host}:${port} (builtin backend; the lab's default port is ${config.ports.finger})`);

    const ask = async (target: string, line: string, to = host) => {
      out.line(`$ netlab finger ${target} -p ${port}`);
      const reply = await finger({ host: to, port, line, connectTimeoutMs: 2_000, readTimeoutMs: 5_000, signal });
      for (const text of visibleControls(reply.text.replace(/\r\n/g, '\n')).trimEnd().split('\n')) out.line(`  ${text}`);
      return reply;
    };
    const user = os.userInfo().username;
    const about = await ask(`${user}@${host}`, user);
    const who = await ask('@localhost', '', 'localhost');
    const refused = await ask(`${user}@elsewhere.example@${host}`, `${user}@elsewhere.example`);
    const verdict = refused.text.startsWith('Finger forwarding service denied') ? 'forwarding refused' : 'forwarding NOT refused';
    return `fingered ${user} (${about.bytes} bytes) and @localhost (${who.text.trim().split('\r\n').length} line(s)); ${verdict}`;
  },
} satisfies TourStep;
