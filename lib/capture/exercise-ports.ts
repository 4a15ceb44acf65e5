// `--exercise NAME`: the ports of a running netlab service, from the records its instances
// leave in pidDir (lib/services/instances.ts), and what tshark should decode each one as.

import { NetlabError } from '../errors.ts';
import { decodeAsArguments } from '../net/capture.ts';
import { listInstances, type Instance } from '../services/instances.ts';

/** An exercise's key in config.ports: fingerd → finger, calc-server → calc, ftpd → ftp. */
function portsKey(service: string): string {
  return service.replace(/-server$/, '').replace(/^(finger|ftp)d$/, '$1');
}

/** The running instances' ports, and tshark's decode-as for them. */
export function exercisePorts(pidDir: string, service: string): { ports: number[]; decodeAs: string[] } {
  const running = runningInstances(pidDir, service);
  if (running.length === 0) {
    throw new NetlabError('E_SERVICE_NOT_RUNNING', `no ${service} is running, so there is no port to capture`, {
      hint: `start it first (netlab start ${service}), or give the port: --port N`,
    });
  }
  const ports = [...new Set(running.map((instance) => instance.record.address.port))];
  return { ports, decodeAs: decodeAsFor(running) };
}

/**
 * tshark's decode-as for every running netlab service, whatever its port: after `netlab start
 * ftpd --port 2122`, `capture --port 2122 --diagram` reads FTP commands, not bare TCP.
 */
export function runningDecodeAs(pidDir: string): string[] {
  return decodeAsFor(runningInstances(pidDir));
}

function runningInstances(pidDir: string, service?: string): Instance[] {
  return listInstances(pidDir, service).filter((instance) => instance.check === 'same');
}

function decodeAsFor(instances: Instance[]): string[] {
  return instances.flatMap(({ record }) => decodeAsArguments({ [portsKey(record.service)]: record.address.port }));
}
