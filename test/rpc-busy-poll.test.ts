import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calculatorMethods } from '../lib/rpc/calculator.ts';
import { RpcClient } from '../lib/rpc/client.ts';
import { listenRpc } from '../lib/rpc/server.ts';
import annuaireServer from '../scripts/annuaire-server.ts';
import calcServer from '../scripts/calc-server.ts';
import { capture, immediates, isolatedEnv, tempDir, waitFor } from './helpers.ts';

/** A server whose busy-polling clock never moves: once it has answered, it polls until it closes. */
async function frozenServer(busyPollMicros: number) {
  const server = await listenRpc({ host: '127.0.0.1', port: 0, methods: calculatorMethods, busyPollMicros, clock: () => 0 });
  const client = new RpcClient({ url: `http://127.0.0.1:${server.address.port}/` });
  return { server, client };
}

test('a server busy-polls after each answer and stops when it closes', async () => {
  const before = immediates();
  const { server, client } = await frozenServer(50);
  assert.equal(await client.call('add', [2, 3]), 5);
  assert.equal(immediates(), before + 1, 'the answer left the loop polling');
  client.close();
  await server.close();
  // Were it left polling, the window (frozen here) would keep the process alive; the test would time out.
  await waitFor(() => immediates() === before, 5_000, 'the polling to stop once the server closed');
});

test('busyPollMicros 0: the server answers and then lets its loop sleep', async () => {
  const { server, client } = await frozenServer(0);
  const before = immediates();
  assert.equal(await client.call('add', [2, 3]), 5);
  assert.equal(immediates(), before);
  client.close();
  await server.close();
});

test('the servers take rpc.busyPollMicros from the config, and refuse a window out of range', async (t) => {
  const dir = tempDir(t);
  for (const [exercise, args] of [[calcServer, []], [annuaireServer, ['--db', `${dir}/annuaire.db`]]] as const) {
    for (const value of ['5000', '-1']) {
      // A server that starts anyway (the setting not passed on) is stopped at once, and the test fails.
      const stop = new AbortController();
      const env = { ...isolatedEnv(dir), NETLAB_RPC_BUSY_POLL_MICROS: value };
      const result = await capture(exercise, ['--port', '0', ...args], { env, signal: stop.signal, onListening: () => stop.abort() });
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, new RegExp(`rpc\\.busyPollMicros ${value} is out of range .*give 0 \\(off\\) to 1000 microseconds`));
    }
  }
});
