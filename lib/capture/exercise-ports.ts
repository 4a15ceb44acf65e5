// `--exercise NAME`: the ports of a running netlab service, from the records its instances
// leave in pidDir (lib/services/instances.ts), and what tshark should decode each one as.

import { NetlabError } from '../errors.ts';
import { decodeAsArguments } from '../net/capture.ts';
import { listInstances } from '../services/instances.ts';

/** An exercise's key in config.ports: fingerd → finger, calc-server → calc, ftpd → ftp. */
function portsKey(service: string): string {
  return service.replace(/-server$/, '').replace(/^(finger|ftp)d$/, '$1');
}

/** The running instances' ports, and tshark's decode-as for them. */
export function exercisePorts(pidDir: string, service: string): { ports: number[]; decodeAs: string[] } {
  const running = listInstances(pidDir, service).filter((instance) => instance.check === 'same');
  if (running.length === 0) {
    throw new NetlabError('E_SERVICE_NOT_RUNNING', `no ${service} is running, so there is no port to capture`, {
      hint: `start it first (netlab start ${service}), or give the port: --port N`,
    });
  }
  const ports = [...new Set(running.map((instance) => instance.record.address.port))];
  return { ports, decodeAs: ports.flatMap((port) => decodeAsArguments({ [portsKey(service)]: port })) };
}
