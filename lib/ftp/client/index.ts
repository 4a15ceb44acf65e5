// The hand-written FTP client (RFC 959, 2428, 3659, 4217): what scripts, tests and the tour import.
// PI in control.ts, DTP in data.ts and transfer.ts, the session in client.ts.

export { FtpClient, anonymousPassword, type FtpClientOptions, type TransferOptions } from './client.ts';
export type { TraceDirection, TraceSink } from './control.ts';
export type { FtpEntry } from './listing.ts';
export { ReplyParser, type FtpReply } from './reply.ts';
export { parseFtpUrl, remoteBaseName, type FtpUrl } from './url.ts';
