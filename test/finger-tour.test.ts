import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { Output } from '../lib/cli/output.ts';
import { loadConfig } from '../lib/config/load.ts';
import fingerStep from '../lib/cli/tour/steps/3-finger.ts';
import { runTour } from '../lib/cli/tour/tour.ts';

test('the tour step starts fingerd, fingers a user and @localhost, shows the refusal, and leaves nothing open', async () => {
  const stdout = new PassThrough();
  let printed = '';
  stdout.on('data', (chunk) => (printed += chunk));
  const out = new Output({ stdout, stderr: new PassThrough() });
  const [result] = await runTour([fingerStep], { config: await loadConfig(), out, signal: new AbortController().signal });
  assert.equal(result.ok, true, result.summary);
  assert.match(result.summary, /^fingered \S+ \(\d+ bytes\) and @localhost .*; forwarding refused$/);
  assert.match(printed, /\$ netlab finger \S+@127\.0\.0\.1 -p \d+\n  Login: /);
  assert.match(printed, /\$ netlab finger @localhost -p \d+\n/);
  assert.match(printed, /Finger forwarding service denied/);
});
