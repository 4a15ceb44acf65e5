// Credentials for X and Bluesky, from the environment or a `.env` file, held in a wrapper that
// prints as [redacted] so that no log line, error or --json output can ever carry a secret.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { inspect, parseEnv } from 'node:util';

/** A secret value: only reveal() gives it out; every way of printing it shows [redacted]. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return '[redacted]';
  }
}

export interface SocialCredentials {
  x: {
    /** App-only bearer token: enough for reading profiles and follows. */
    bearerToken?: Secret;
    /** OAuth 1.0a user context, needed to post. */
    appKey?: Secret;
    appSecret?: Secret;
    accessToken?: Secret;
    accessSecret?: Secret;
  };
  bluesky: {
    identifier?: string;
    /** An app password (Settings → App passwords), never the account password. */
    appPassword?: Secret;
  };
}

/** The variable names, as the X developer portal and Bluesky settings name the values. */
export const credentialVariables = {
  xBearerToken: 'X_BEARER_TOKEN',
  xAppKey: 'X_API_KEY',
  xAppSecret: 'X_API_SECRET',
  xAccessToken: 'X_ACCESS_TOKEN',
  xAccessSecret: 'X_ACCESS_TOKEN_SECRET',
  blueskyIdentifier: 'BLUESKY_HANDLE',
  blueskyAppPassword: 'BLUESKY_APP_PASSWORD',
} as const;

/**
 * Reads the credentials: the environment wins, then `.env` in the project folder (next to
 * netlab.config.ts), then `.env` in the current folder.
 */
export function loadCredentials(options: { env?: NodeJS.ProcessEnv; folders?: string[] } = {}): SocialCredentials {
  const env = options.env ?? process.env;
  const files = [...new Set(options.folders ?? [])].map((folder) => readDotEnv(path.join(folder, '.env')));
  const get = (name: string): string | undefined => {
    for (const source of [env, ...files]) {
      const value = source[name]?.trim();
      if (value) return value;
    }
    return undefined;
  };
  const secret = (name: string) => {
    const value = get(name);
    return value === undefined ? undefined : new Secret(value);
  };
  const v = credentialVariables;
  return {
    x: {
      bearerToken: secret(v.xBearerToken),
      appKey: secret(v.xAppKey),
      appSecret: secret(v.xAppSecret),
      accessToken: secret(v.xAccessToken),
      accessSecret: secret(v.xAccessSecret),
    },
    bluesky: { identifier: get(v.blueskyIdentifier), appPassword: secret(v.blueskyAppPassword) },
  };
}

export function hasXUserKeys(x: SocialCredentials['x']): boolean {
  return Boolean(x.appKey && x.appSecret && x.accessToken && x.accessSecret);
}

function readDotEnv(file: string): Record<string, string | undefined> {
  if (!existsSync(file)) return {};
  return parseEnv(readFileSync(file, 'utf8'));
}
