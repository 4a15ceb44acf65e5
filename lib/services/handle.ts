// The contract every server function keeps: it resolves once listening, to a handle.
// Tests and the tour start servers on port 0 and read the port they got from `address`.

export interface ServerAddress {
  host: string;
  port: number;
  /** 'tcp' | 'udp' | 'http' | 'ftp' …: what a status line should call it. */
  protocol: string;
}

export interface ServerHandle {
  readonly address: ServerAddress;
  /** Stop accepting, finish or close open connections, release resources. Safe to call twice. */
  close(): Promise<void>;
}

export function isServerHandle(value: unknown): value is ServerHandle {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ServerHandle).close === 'function' &&
    typeof (value as ServerHandle).address?.port === 'number'
  );
}

/** "127.0.0.1:7979", or "[::1]:7979" for IPv6. */
export function formatAddress(address: Pick<ServerAddress, 'host' | 'port'>): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
