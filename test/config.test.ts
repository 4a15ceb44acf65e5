import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { NetlabError } from '../lib/errors.ts';
import { loadConfig } from '../lib/config/load.ts';
import { packageRoot } from '../lib/paths.ts';
import { tempDir } from './helpers.ts';

const bareEnv = { PATH: process.env.PATH };

test('defaults: loopback host, the lab ports, data dirs under the project root', async () => {
  const config = await loadConfig({ env: bareEnv, cwd: packageRoot });
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.ports.udp, 9875);
  assert.equal(config.ports.tcp, 8016);
  assert.equal(config.ports.finger, 7979);
  assert.equal(config.dataDir, path.join(packageRoot, 'data'));
  assert.equal(config.pidDir, path.join(packageRoot, 'data/run'));
});

test('precedence: defaults ← config file ← NETLAB_* environment ← flags', async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'netlab.config.ts'), `export default { host: '127.0.0.2', ports: { finger: 7000, extra: 1234 }, dataDir: 'mydata', finger: { backend: 'builtin' } };\n`);
  const fromFile = await loadConfig({ env: bareEnv, cwd: dir });
  assert.equal(fromFile.host, '127.0.0.2');
  assert.equal(fromFile.ports.finger, 7000);
  assert.equal(fromFile.ports.extra, 1234, 'ports is an open record');
  assert.equal(fromFile.ports.udp, 9875, 'untouched keys keep their defaults');
  assert.equal(fromFile.dataDir, path.join(dir, 'mydata'), 'relative paths start at the config file');
  assert.equal(fromFile.finger.backend, 'builtin');

  const env = { ...bareEnv, NETLAB_PORTS_FINGER: '7100', NETLAB_FINGER_ALLOW_FORWARDING: 'true', NETLAB_HOST: '127.0.0.3' };
  const fromEnv = await loadConfig({ env, cwd: dir });
  assert.equal(fromEnv.ports.finger, 7100);
  assert.equal(fromEnv.finger.allowForwarding, true);
  assert.equal(fromEnv.host, '127.0.0.3');

  const fromFlags = await loadConfig({ env, cwd: dir, overrides: { host: '::1' } });
  assert.equal(fromFlags.host, '::1');
});

test('a misspelt key is an error that names it and suggests the right one', async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'netlab.config.ts'), `export default { prots: { udp: 1 } };\n`);
  await assert.rejects(loadConfig({ env: bareEnv, cwd: dir }), (error: NetlabError) => {
    assert.equal(error.code, 'E_CONFIG');
    assert.match(error.message, /unknown config key "prots"/);
    assert.match(error.hint ?? '', /did you mean "ports"/);
    return true;
  });
});

test('a value of the wrong type is refused, from the file or the environment', async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'netlab.config.ts'), `export default { ports: { udp: 'ninety' } };\n`);
  await assert.rejects(loadConfig({ env: bareEnv, cwd: dir }), /"ports.udp" must be a number/);
  await assert.rejects(
    loadConfig({ env: { ...bareEnv, NETLAB_FINGER_ALLOW_FORWARDING: 'perhaps' }, cwd: packageRoot }),
    /"finger.allowForwarding" must be true or false/,
  );
});

test('NETLAB_CONFIG pointing nowhere is a clear error; a file with a syntax error too', async (t) => {
  await assert.rejects(loadConfig({ env: { ...bareEnv, NETLAB_CONFIG: '/nonexistent/netlab.config.ts' } }), /does not exist/);
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'netlab.config.ts'), `export default { host: };\n`);
  await assert.rejects(loadConfig({ env: bareEnv, cwd: dir }), (error: NetlabError) => error.code === 'E_CONFIG' && /cannot load/.test(error.message));
});
