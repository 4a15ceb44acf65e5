import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { AnnuaireStore, checkName, checkNumber } from '../lib/rpc/annuaire.ts';
import { RpcClient } from '../lib/rpc/client.ts';
import { RpcFault } from '../lib/rpc/faults.ts';
import { isolatedEnv, tempDir } from './helpers.ts';
import { spawnRpcServer } from '../peers/rpc-netlab.ts';

const faultCode = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as RpcFault).faultCode;
  }
  return 'no fault';
};

test('names and numbers are validated with their own fault codes', () => {
  assert.equal(checkName('  Jean   Dupont '), 'Jean Dupont');
  assert.equal(faultCode(() => checkName('   ')), 10);
  assert.equal(faultCode(() => checkName('x'.repeat(101))), 10);
  assert.equal(faultCode(() => checkName('bell\u0007')), 10);
  for (const good of ['0612345678', '+33 6 12 34 56 78', '06.12.34.56.78', '(555) 010-9999', '+1-555-010-9999', '17']) assert.equal(checkNumber(good), good);
  for (const bad of ['', 'abc', '+', '1', '++33 6', '06 12 x', '1'.repeat(21), '06..', '- 12', `${'1 '.repeat(20)}1`]) assert.equal(faultCode(() => checkNumber(bad)), 11, bad);
});

test('the store keeps several numbers a name, refuses duplicates, deletes, pages, and survives reopening', async (t) => {
  const file = path.join(tempDir(t), 'sub', 'a.db');
  const store = new AnnuaireStore(file);
  await store.add('Alice', '06 11 11 11 11');
  await store.add('alice', '+33 7 22');
  await assert.rejects(store.add('ALICE', '0611111111'), { faultCode: 13 });
  assert.deepEqual(store.find('aLiCe'), ['06 11 11 11 11', '+33 7 22']);
  // Concurrent writes share one commit; the duplicate among them fails alone.
  const batch = await Promise.allSettled([0, 1, 2, 3, 4, 2].map((i) => store.add(`user${i}`, `0${i}00`)));
  assert.deepEqual(batch.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
  assert.equal(store.count(), 7);
  assert.deepEqual(store.list(2, 2).map((e) => e.nom), ['user0', 'user1']);
  assert.equal(faultCode(() => store.list(-1, 2)), -32602);
  assert.equal(faultCode(() => store.list(0, 0)), -32602);
  assert.equal(await store.delete('alice', '+33 7 22'), 1);
  await assert.rejects(store.delete('alice', '+33 7 22'), { faultCode: 12 });
  const queued = store.add('Zoe', '0123'); // closing commits what is queued
  store.close();
  await queued;
  const reopened = new AnnuaireStore(file);
  t.after(() => reopened.close());
  assert.equal(reopened.count(), 7);
  assert.equal(await reopened.clear(), 7);
  assert.equal(faultCode(() => reopened.find('Alice')), 12);
});

const spawnServer = (dir: string, db: string) => spawnRpcServer('annuaire-server', ['--db', db], isolatedEnv(dir));

test('SIGKILL during 8 concurrent writers: after a restart every acknowledged add is there', async (t) => {
  const dir = tempDir(t);
  const db = path.join(dir, 'annuaire.db');
  const first = await spawnServer(dir, db);
  t.after(() => first.child.kill('SIGKILL'));
  const acknowledged = new Set<string>();
  const attempted = new Set<string>();
  let killed = false;
  const writers = Array.from({ length: 8 }, async (_, writer) => {
    const client = new RpcClient({ url: first.url, timeoutMs: 5_000 });
    try {
      for (let n = 0; !killed; n++) {
        const name = `writer${writer}-${n}`;
        attempted.add(name);
        try {
          await client.call('ajouterEntree', [name, `+33 6 ${writer}0 00 ${String(n).padStart(4, '0')}`]);
          acknowledged.add(name);
        } catch {
          return; // the server is gone: this writer stops
        }
      }
    } finally {
      client.close();
    }
  });
  // Kill once enough writes are acknowledged, while the writers are still going.
  while (acknowledged.size < 240) await new Promise((resolve) => setTimeout(resolve, 5));
  first.child.kill('SIGKILL');
  killed = true;
  assert.equal(await first.exited, 'SIGKILL');
  await Promise.all(writers);

  const second = await spawnServer(dir, db);
  t.after(() => second.child.kill('SIGTERM'));
  const client = new RpcClient({ url: second.url });
  t.after(() => client.close());
  const stored = new Set<string>();
  for (let offset = 0; ; offset += 1000) {
    const page = (await client.call('lister', [offset, 1000])) as { nom: string }[];
    page.forEach((entry) => stored.add(entry.nom));
    if (page.length < 1000) break;
  }
  const lost = [...acknowledged].filter((name) => !stored.has(name));
  assert.deepEqual(lost, [], 'acknowledged entries lost');
  const invented = [...stored].filter((name) => !attempted.has(name));
  assert.deepEqual(invented, []);
  const count = (await client.call('nbNumeros')) as number;
  assert.equal(count, stored.size);
  // At most the 8 calls in flight at the kill may have landed without their reply.
  assert.ok(count >= acknowledged.size && count <= acknowledged.size + 8, `count ${count}, acknowledged ${acknowledged.size}`);
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);
});
