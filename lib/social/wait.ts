// Waiting out a rate limit: until the reset time the server announced, one tick a second for
// the countdown, abortable with Ctrl-C, and refused when the wait would be unreasonably long.

import { NetlabError } from '../cli/errors.ts';
import type { ProviderName } from './config.ts';
import type { ProviderHooks } from './provider.ts';

export interface RateLimitWait {
  provider: ProviderName;
  /** When the window reopens (the x-rate-limit-reset / ratelimit-reset header, in epoch seconds). */
  resetEpochSeconds: number;
  maxWaitSeconds: number;
}

/** Resolves once the window has reopened (plus one second of slack for clock skew). */
export async function waitForRateLimit(wait: RateLimitWait, hooks: ProviderHooks = {}): Promise<void> {
  const until = new Date((wait.resetEpochSeconds + 1) * 1000);
  const total = Math.ceil((until.getTime() - Date.now()) / 1000);
  if (!Number.isFinite(total) || total > wait.maxWaitSeconds) {
    throw new NetlabError('E_RATE_LIMITED', `${wait.provider} rate limit reached; the window reopens at ${Number.isFinite(until.getTime()) ? until.toISOString() : 'an unknown time'}`, {
      hint: `that is more than ${wait.maxWaitSeconds} s away: run the same command again later, it resumes from the cache (or raise social.maxWaitSeconds)`,
    });
  }
  for (let left = total; left > 0; left--) {
    hooks.onWait?.({ provider: wait.provider, secondsLeft: left, until });
    await sleep(Math.min(1000, until.getTime() - Date.now()), hooks.signal);
  }
  hooks.onWait?.({ provider: wait.provider, secondsLeft: 0, until });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(interrupted());
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(interrupted());
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function interrupted(): NetlabError {
  return new NetlabError('E_INTERRUPTED', 'interrupted', { hint: 'run the same command again: it resumes from the cache' });
}
