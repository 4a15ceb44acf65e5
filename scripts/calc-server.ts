#!/usr/bin/env -S npx zx
// `netlab calc-server`: the lab's RPC calculator (Calcul) as an XML-RPC server.
// add, mult, diff, quotient, absolue; faults for division by zero and bad parameters.

import { servicePort } from '../lib/config/define.ts';
import { hostArg, portArg } from '../lib/cli/args.ts';
import { parsePort } from '../lib/values.ts';
import { defineExercise } from '../lib/cli/exercise.ts';
import { runIfMain } from '../lib/cli/process.ts';
import { calculatorMethods } from '../lib/rpc/calculator.ts';
import { rpcServerSettings } from '../lib/rpc/config.ts';
import { listenRpc } from '../lib/rpc/server.ts';

export default defineExercise({
  name: 'calc-server',
  description: 'XML-RPC calculator server (add, mult, diff, quotient, absolue)',
  service: true,
  args: { ...hostArg, ...portArg('calc') },
  examples: ['netlab calc-server', 'netlab calc-server --host 0.0.0.0 --port 8700   # reachable from other machines', 'netlab start calc-server'],
  run({ args, config, log }) {
    return listenRpc({ host: config.host, port: parsePort(args.port, servicePort(config, 'calc')), methods: calculatorMethods, log, ...rpcServerSettings(config.rpc) });
  },
});

runIfMain(import.meta);
