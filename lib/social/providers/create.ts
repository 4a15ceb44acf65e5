// Picks and builds a provider from --provider, the config and the credentials found:
// `auto` means X when an X bearer token is configured, else the offline fixture.

import { NetlabError } from '../../errors.ts';
import type { ProviderName, SocialConfig } from '../config.ts';
import { hasXUserKeys, type SocialCredentials } from '../credentials.ts';
import type { ProviderHooks, SocialProvider } from '../provider.ts';
import { createBlueskyProvider } from './bluesky.ts';
import { createFixtureProvider } from './fixture.ts';
import { createXProvider } from './x.ts';

export const providerNames: readonly ProviderName[] = ['x', 'bluesky', 'fixture'];

export interface ProviderChoice {
  /** --provider, else config social.provider. */
  requested?: string;
  /** What the provider is for: posting needs write credentials. */
  purpose: 'read' | 'post';
}

export function resolveProviderName(choice: ProviderChoice, config: SocialConfig, credentials: SocialCredentials): ProviderName {
  const requested = choice.requested || config.provider;
  if (requested !== 'auto') {
    if (!(providerNames as readonly string[]).includes(requested)) {
      throw new NetlabError('E_USAGE', `unknown provider ${JSON.stringify(requested)}`, { hint: `choose one of: ${providerNames.join(', ')}` });
    }
    return requested as ProviderName;
  }
  if (choice.purpose === 'post') {
    if (hasXUserKeys(credentials.x)) return 'x';
    if (credentials.bluesky.appPassword) return 'bluesky';
    throw new NetlabError('E_AUTH', 'no credentials to post with', {
      hint: 'set X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET (X) or BLUESKY_HANDLE, BLUESKY_APP_PASSWORD (Bluesky) in the environment or .env (docs/social.md shows where to find them)',
    });
  }
  return credentials.x.bearerToken ? 'x' : 'fixture';
}

export interface CreateProviderOptions extends ProviderHooks {
  name: ProviderName;
  config: SocialConfig;
  credentials: SocialCredentials;
  /** --api-base: wins over the config for this run (for Bluesky, over both AppView and PDS). */
  apiBase?: string;
}

export function createProvider(options: CreateProviderOptions): SocialProvider {
  const { config, credentials, apiBase } = options;
  const common = { onRequest: options.onRequest, onWait: options.onWait, signal: options.signal, timeoutMs: config.timeoutSeconds * 1000, maxWaitSeconds: config.maxWaitSeconds };
  if (apiBase !== undefined && options.name !== 'fixture') checkBase(apiBase);
  switch (options.name) {
    case 'x':
      return createXProvider({ ...common, credentials: credentials.x, apiBase: apiBase ?? config.xApiBase });
    case 'bluesky':
      return createBlueskyProvider({ ...common, credentials: credentials.bluesky, apiBase: apiBase ?? config.blueskyApiBase, pdsBase: apiBase ?? config.blueskyPdsBase });
    case 'fixture':
      return createFixtureProvider({ file: config.fixtureFile });
  }
}

function checkBase(base: string): void {
  let url: URL | undefined;
  try {
    url = new URL(base);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol)) {
    throw new NetlabError('E_USAGE', `--api-base ${JSON.stringify(base)} is not an http(s) URL`, { hint: 'e.g. --api-base http://127.0.0.1:8080' });
  }
}
