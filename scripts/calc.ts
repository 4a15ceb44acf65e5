#!/usr/bin/env -S npx zx
// `netlab calc`: the calculator's client. `calc add 2 3` calls once; `calc` alone shows the
// lab's menu (1 add … 5 absolue, 0 quit), which also reads answers piped on stdin.

import { NetlabError } from '../lib/errors.ts';
import { defineExercise } from '../lib/cli/exercise.ts';
import type { Output } from '../lib/cli/output.ts';
import { runIfMain } from '../lib/cli/process.ts';
import { calculatorMethods, calculatorOperations, type CalculatorOperation } from '../lib/rpc/calculator.ts';
import { callOrFail, checkArity, clientFromArgs, parseOperand, rpcClientArgs } from '../lib/cli/rpc/client-args.ts';
import type { RpcClient } from '../lib/rpc/client.ts';
import { RpcDouble, type RpcValue } from '../lib/rpc/codec.ts';
import type { Prompter } from '../lib/cli/rpc/menu.ts';

const symbols: Record<CalculatorOperation, string> = { add: '+', mult: '×', diff: '−', quotient: '÷', absolue: '|a|' };

export default defineExercise({
  name: 'calc',
  description: 'XML-RPC calculator client: one operation, or the lab’s menu when none is given',
  args: {
    operation: { type: 'positional', required: false, description: `one of ${calculatorOperations.join(', ')} (none: the menu)` },
    a: { type: 'positional', required: false, description: 'first operand' },
    b: { type: 'positional', required: false, description: 'second operand (not for absolue)' },
    ...rpcClientArgs('calc'),
  },
  examples: ['netlab calc add 2 3', 'netlab calc quotient 7 2 --json', 'netlab calc absolue -4', 'netlab calc --url http://192.168.1.20:8700/', 'printf "1\\n2\\n3\\n0\\n" | netlab calc'],
  async run({ args, rawArgs, config, out, signal }) {
    const client = clientFromArgs(args, config, out, 'calc', true);
    try {
      if (!args.operation) {
        const { runMenu } = await import('../lib/cli/rpc/menu.ts'); // readline, only for the menu
        await runMenu({ title: `Calculator at ${client.url.href}`, items: menuItems(client, out), input: process.stdin, out, signal });
        return;
      }
      const operation = checkOperation(args.operation);
      const texts = operandTexts(rawArgs);
      checkArity(`calc ${operation}`, texts, { names: calculatorMethods[operation].params.map((param) => param.name), noun: 'operand' });
      const operands = texts.map(parseOperand);
      const result = await callOrFail(client, operation, operands);
      out.result({ operation, operands: operands.map(plain), result: plain(result as number | RpcDouble) }, () => out.line(`${formatCall(operation, operands)} = ${format(result)}`));
    } finally {
      client.close();
    }
  },
});

function menuItems(client: RpcClient, out: Output) {
  return calculatorOperations.map((operation) => ({
    label: `${operation.padEnd(9)} ${operation === 'absolue' ? '|a|' : `a ${symbols[operation]} b`}`,
    async run(prompter: Prompter) {
      const operands: (number | RpcDouble)[] = [];
      for (const name of operation === 'absolue' ? ['a'] : ['a', 'b']) {
        const value = await prompter.askUntil(`${name} = `, (answer) => {
          try {
            return parseOperand(answer);
          } catch (error) {
            if (!(error instanceof NetlabError)) throw error;
            out.line(error.toString()); // and ask again
            return undefined;
          }
        });
        if (value === undefined) return false;
        operands.push(value);
      }
      out.line(`${formatCall(operation, operands)} = ${format(await client.call(operation, operands))}`);
    },
  }));
}

function checkOperation(name: string): CalculatorOperation {
  if ((calculatorOperations as readonly string[]).includes(name)) return name as CalculatorOperation;
  throw new NetlabError('E_USAGE', `unknown operation ${JSON.stringify(name)}`, { hint: `choose one of: ${calculatorOperations.join(', ')}` });
}

/** The operands from the raw arguments: citty would read "-4" as a flag, not a number. */
function operandTexts(rawArgs: string[]): string[] {
  const flagsWithValue = new Set(['--url', '--host', '--port', '-p', '--timeout']);
  const texts: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i];
    if (flagsWithValue.has(arg)) i++;
    else if (arg !== '--' && (!arg.startsWith('-') || /^-[\d.]/.test(arg))) texts.push(arg);
  }
  return texts.slice(1);
}


function plain(value: number | RpcDouble): number {
  return value instanceof RpcDouble ? value.value : value;
}

function formatCall(operation: CalculatorOperation, operands: (number | RpcDouble)[]): string {
  const [a, b] = operands.map((operand) => format(operand));
  return operation === 'absolue' ? `|${a}|` : `${a} ${symbols[operation]} ${b}`;
}

/** Doubles keep a point (5.0), as Python prints them, so ints and doubles stay apart. */
function format(value: RpcValue): string {
  if (value instanceof RpcDouble) return Number.isInteger(value.value) && Math.abs(value.value) < 1e21 ? value.value.toFixed(1) : String(value.value);
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

runIfMain(import.meta);
