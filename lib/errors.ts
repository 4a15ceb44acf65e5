// The one catalogue of netlab's coded errors.
// Every error a user can cause is a NetlabError: a code, a sentence for people, and a hint.

/** Exit codes of every netlab command (documented in the README). */
export const ExitCode = {
  ok: 0,
  failure: 1, // the operation ran and failed (a fault, an FTP error reply, a failed check)
  usage: 2, // bad arguments or bad input
  config: 3, // netlab.config.ts or the environment is wrong
  network: 4, // cannot reach, bind or talk to a peer
  permission: 5, // the operating system refused (privileged port, capture rights, file mode)
  missing: 6, // a tool, a file, a user or a service that is not there
  interrupted: 130, // stopped by Ctrl-C
  closedOutput: 141, // whoever read our output went away (`| head -1`): 128 + SIGPIPE, as a Unix tool ends
} as const;
export type ExitCodeName = keyof typeof ExitCode;

/** Each code, and the exit code it ends a command with. */
export const errorCatalogue = {
  E_USAGE: 'usage',
  E_INPUT: 'usage',
  E_CONFIG: 'config',
  E_PLUGIN: 'config',
  E_PORT_PRIVILEGED: 'permission',
  E_PORT_IN_USE: 'network',
  E_ADDRESS_UNAVAILABLE: 'network',
  E_CONN_REFUSED: 'network',
  E_PORT_UNREACHABLE: 'network',
  E_CONN_RESET: 'network',
  E_TIMEOUT: 'network',
  E_HOST_UNREACHABLE: 'network',
  E_HOST_NOT_FOUND: 'network',
  E_NETWORK: 'network',
  E_PERMISSION: 'permission',
  E_NOT_LINUX: 'missing',
  E_TOOL_MISSING: 'missing',
  E_NOT_FOUND: 'missing',
  E_SERVICE_RUNNING: 'failure',
  E_SERVICE_NOT_RUNNING: 'failure',
  E_SERVICE_FAILED: 'failure',
  E_PROTOCOL: 'failure',
  E_REMOTE: 'failure',
  E_AUTH: 'permission',
  E_RATE_LIMITED: 'network',
  E_FTP_REPLY: 'failure',
  E_INTERRUPTED: 'interrupted',
} as const satisfies Record<string, ExitCodeName>;
export type ErrorCode = keyof typeof errorCatalogue;

export interface NetlabErrorOptions {
  /** What the user can do about it. */
  hint?: string;
  cause?: unknown;
  /** Structured details for --json output and logs. */
  details?: Record<string, unknown>;
}

export class NetlabError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: NetlabErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NetlabError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  get exitCode(): number {
    return ExitCode[errorCatalogue[this.code]];
  }

  /** "port 23 is privileged — run as root or …": the one line the CLI prints. */
  toString(): string {
    return this.hint ? `${this.message} — ${this.hint}` : this.message;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, ...this.details };
  }
}

export function isNetlabError(error: unknown): error is NetlabError {
  return error instanceof NetlabError;
}

/** Node's system errors carry a string code (ECONNREFUSED…); this reads it safely. */
export function systemErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
