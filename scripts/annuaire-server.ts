#!/usr/bin/env -S npx zx
// `netlab annuaire-server`: the lab's online phone directory as an XML-RPC server on SQLite.
// ajouterEntree, trouverNumero, nbNumeros, supprimerEntree, supprimerTout, lister (+ English aliases).

import path from 'node:path';
import { servicePort } from '../lib/config/define.ts';
import { hostArg, portArg } from '../lib/cli/args.ts';
import { parsePort } from '../lib/values.ts';
import { defineExercise } from '../lib/cli/exercise.ts';
import { runIfMain } from '../lib/cli/process.ts';
import { dataPath } from '../lib/paths.ts';
import { prepareStateDir } from '../lib/state-dirs.ts';
import { listenAnnuaire } from '../lib/rpc/annuaire.ts';
import { rpcServerSettings } from '../lib/rpc/config.ts';

export default defineExercise({
  name: 'annuaire-server',
  description: 'XML-RPC phone directory server (SQLite, every acknowledged write is on disk)',
  service: true,
  args: {
    ...hostArg,
    ...portArg('annuaire'),
    db: { type: 'string', description: 'the SQLite database file (default from config rpc.annuaireDb: data/annuaire.db)', valueHint: 'file' },
  },
  examples: ['netlab annuaire-server', 'netlab annuaire-server --db /tmp/annuaire.db --port 0', 'netlab start annuaire-server --host 0.0.0.0'],
  run({ args, config, log }) {
    if (!args.db) prepareStateDir(config, 'dataDir');
    return listenAnnuaire({
      host: config.host,
      port: parsePort(args.port, servicePort(config, 'annuaire')),
      // --db is relative to where the command runs; the config's path to dataDir.
      dbFile: args.db ? path.resolve(args.db) : dataPath(config, config.rpc.annuaireDb),
      log,
      ...rpcServerSettings(config.rpc),
    });
  },
});

runIfMain(import.meta);
