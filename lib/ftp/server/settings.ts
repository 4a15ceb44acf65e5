// From the `ftp` config section (and ftpd's flags) to startFtpServer's options: paths resolved
// under dataDir, seconds to milliseconds, the FTPS certificate read from its files.

import { readFileSync } from 'node:fs';
import { NetlabError } from '../../errors.ts';
import { dataPath, type DataDir } from '../../paths.ts';
import type { RequestLog } from '../../services/log.ts';
import type { FtpConfig } from '../config.ts';
import type { FtpServerOptions } from './index.ts';

export function serverOptionsFromConfig(config: DataDir, settings: FtpConfig, where: { host: string; port: number; log?: RequestLog }): FtpServerOptions {
  const tls = readCertificate(config, settings);
  return {
    host: where.host,
    port: where.port,
    log: where.log,
    root: dataPath(config, settings.root),
    anonymous: settings.anonymous,
    writable: settings.writable,
    uploadDir: settings.uploadDir,
    accounts: settings.accounts,
    passivePorts: [settings.passivePortMin, settings.passivePortMax],
    passiveAddress: settings.passiveAddress || undefined,
    maxConnections: settings.maxConnections,
    maxConnectionsPerIp: settings.maxConnectionsPerIp,
    idleTimeoutMs: settings.idleTimeout * 1000,
    dataTimeoutMs: settings.dataTimeout * 1000,
    tls,
  };
}

function readCertificate(config: DataDir, settings: FtpConfig): FtpServerOptions['tls'] {
  if (!settings.tlsCert && !settings.tlsKey) return undefined;
  if (!settings.tlsCert || !settings.tlsKey) {
    throw new NetlabError('E_CONFIG', 'FTPS needs both a certificate and its key', { hint: 'set both ftp.tlsCert and ftp.tlsKey (or --tls-cert and --tls-key)' });
  }
  const read = (file: string, what: string) => {
    try {
      return readFileSync(dataPath(config, file));
    } catch (error) {
      throw new NetlabError('E_NOT_FOUND', `cannot read the FTPS ${what} ${dataPath(config, file)}: ${(error as Error).message}`, {
        hint: 'make a test pair with: openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost -keyout key.pem -out cert.pem',
      });
    }
  };
  return { cert: read(settings.tlsCert, 'certificate'), key: read(settings.tlsKey, 'key') };
}
