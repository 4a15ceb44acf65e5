// Waiting out a rate limit: until the reset time the server announced, one tick a second for
// the countdown, abortable with Ctrl-C, and refused when the wait would be unreasonably long.

import { NetlabError } from '../errors.ts';
import type { ProviderName } from './config.ts';
import type { ProviderHooks } from './provider.ts';

export interface RateLimitWait {
  provider: ProviderName;
  /** When the window reopens (the x-rate-limit-reset / ratelimit-reset header, in epoch seconds); NaN if not said. */
  resetEpochSeconds: number;
  maxWaitSeconds: number;
  /** 429s in a row for this call: a server that keeps refusing after the wait is given up on. */
  refusals?: number;
}

/** A server that sends no reset time gets this long (a Bluesky window is 5 minutes, X's 15). */
const unannouncedWaitSeconds = 60;
const maxRefusals = 3;

/** Resolves once the window has reopened (plus one second of slack for clock skew). */
export async function waitForRateLimit(wait: RateLimitWait, hooks: ProviderHooks = {}): Promise<void> {
  if ((wait.refusals ?? 0) > maxRefusals) {
    throw new NetlabError('E_RATE_LIMITED', `${wait.provider} still answers 429 Too Many Requests after ${maxRefusals} waits`, {
      hint: 'run the same command again later: it resumes from the cache',
    });
  }
  const announced = Number.isFinite(wait.resetEpochSeconds) && wait.resetEpochSeconds > 0;
  const until = new Date(announced ? (wait.resetEpochSeconds + 1) * 1000 : Date.now() + unannouncedWaitSeconds * 1000);
  // A reset time already past (clocks disagree) still waits a second: never a tight retry loop.
  const deadline = Math.max(until.getTime(), Date.now() + 1000);
  const total = Math.ceil((deadline - Date.now()) / 1000);
  if (total > wait.maxWaitSeconds) {
    throw new NetlabError('E_RATE_LIMITED', `${wait.provider} rate limit reached; the window reopens at ${until.toISOString()}`, {
      hint: `that is more than ${wait.maxWaitSeconds} s away: run the same command again later, it resumes from the cache (or raise social.maxWaitSeconds)`,
    });
  }
  for (let left = total; left > 0; left--) {
    hooks.onWait?.({ provider: wait.provider, secondsLeft: left, until });
    await sleep(Math.min(1000, deadline - Date.now()), hooks.signal);
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
