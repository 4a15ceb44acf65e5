// Tour step: XML-RPC — the lab's calculator (a sum, then a division by zero that comes back as a
// fault) and the phone directory on a temporary database (add, find, count, delete).

import path from 'node:path';
import { listenAnnuaire } from '../../../rpc/annuaire.ts';
import { calculatorMethods } from '../../../rpc/calculator.ts';
import { rpcServerSettings } from '../../../rpc/config.ts';
import { RpcClient } from '../../../rpc/client.ts';
import { isRpcFault } from '../../../rpc/faults.ts';
import { listenRpc } from '../../../rpc/server.ts';
import type { TourStep } from '../tour.ts';

export default {
  title: 'RPC (XML-RPC calculator and directory)',
  async run({ config, out, defer }) {
    out.line('$ netlab calc-server --port 0');
    const calcServer = await listenRpc({ host: '127.0.0.1', port: 0, methods: calculatorMethods, ...rpcServerSettings(config.rpc) });
    defer(() => calcServer.close());
    const { port } = calcServer.address;
    out.line(`  calc-server listening on http://127.0.0.1:${port}/ (the lab's default port is ${config.ports.calc})`);
    const calc = new RpcClient({ url: `http://127.0.0.1:${port}/`, timeoutMs: 5_000 });
    defer(() => calc.close());
    out.line(`$ netlab calc add 2 3 -p ${port}`);
    const sum = await calc.call('add', [2, 3]);
    out.line(`  2 + 3 = ${sum}`);
    out.line(`$ netlab calc quotient 1 0 -p ${port}`);
    const fault = await calc.call('quotient', [1, 0]).then(
      () => undefined,
      (error: unknown) => (isRpcFault(error) ? error : Promise.reject(error)),
    );
    if (!fault) throw new Error('quotient(1, 0) answered instead of a fault');
    out.line(`  error: ${fault.toString()}   ← a fault reaches the caller; the server goes on`);

    const db = path.join(config.dataDir, 'tour-annuaire.db');
    out.line(`$ netlab annuaire-server --port 0 --db ${db}`);
    const directoryServer = await listenAnnuaire({ host: '127.0.0.1', port: 0, dbFile: db, ...rpcServerSettings(config.rpc) });
    defer(() => directoryServer.close());
    const directory = new RpcClient({ url: `http://127.0.0.1:${directoryServer.address.port}/`, timeoutMs: 5_000 });
    defer(() => directory.close());
    const dp = directoryServer.address.port;
    out.line(`$ netlab annuaire add "Ada Lovelace" +44 20 7946 0000 -p ${dp}`);
    await directory.call('ajouterEntree', ['Ada Lovelace', '+44 20 7946 0000']);
    out.line('  added Ada Lovelace: +44 20 7946 0000');
    out.line(`$ netlab annuaire find "ada lovelace" -p ${dp}`);
    const numbers = (await directory.call('trouverNumero', ['ada lovelace'])) as string[];
    out.line(`  ada lovelace: ${numbers.join(', ')}`);
    out.line(`$ netlab annuaire count -p ${dp}`);
    const count = (await directory.call('nbNumeros')) as number;
    out.line(`  ${count} number${count === 1 ? '' : 's'} in the directory`);
    out.line(`$ netlab annuaire delete "Ada Lovelace" -p ${dp}`);
    const removed = (await directory.call('supprimerEntree', ['Ada Lovelace'])) as number;
    const after = (await directory.call('nbNumeros')) as number;
    out.line(`  deleted ${removed} number of Ada Lovelace (${after} left)`);
    return `add(2, 3) = ${sum}; quotient(1, 0) → Fault ${fault.faultCode}; directory add/find/count/delete ok (${count} → ${after})`;
  },
} satisfies TourStep;
