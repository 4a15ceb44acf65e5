#!/usr/bin/env -S npx zx
// `netlab annuaire`: the phone directory's client. One command (`annuaire add alice 0612345678`,
// find, count, delete, clear --yes, list), or the lab's menu when no command is given.

import { NetlabError } from '../lib/errors.ts';
import { parseCount } from '../lib/values.ts';
import { visibleControls } from '../lib/text.ts';
import { defineExercise } from '../lib/cli/exercise.ts';
import type { Output } from '../lib/cli/output.ts';
import { runIfMain } from '../lib/cli/process.ts';
import { englishAliases, type Entry } from '../lib/rpc/annuaire.ts';
import { callOrFail, checkArity, clientFromArgs, rpcClientArgs, type Arity } from '../lib/cli/rpc/client-args.ts';
import type { RpcClient } from '../lib/rpc/client.ts';
import type { MenuItem, Prompter } from '../lib/cli/rpc/menu.ts';

type Command = keyof typeof englishAliases;
const commands = Object.keys(englishAliases) as Command[];
const frenchToEnglish = new Map(Object.entries(englishAliases).map(([english, french]) => [french.toLowerCase(), english as Command]));
const pageSize = 100;

/** What each command takes after its name; a number is the rest of the line, spaces and all. */
const arities: Record<Command, Arity> = {
  add: { names: ['nom', 'numero'], rest: true, hint: 'quote a name that has spaces: netlab annuaire add "Ada Lovelace" +44 20 7946 0000' },
  find: { names: ['nom'], hint: 'quote a name that has spaces: netlab annuaire find "Ada Lovelace"' },
  count: { names: [] },
  delete: { names: ['nom', 'numero'], optional: 1, rest: true, hint: 'quote a name that has spaces: netlab annuaire delete "Ada Lovelace"' },
  clear: { names: [] },
  list: { names: [] },
};

/** A name or a number, as the terminal shows it: its control characters made visible (a name may hold a CR). */
const shown = (text: string | undefined) => visibleControls(text ?? '');

export default defineExercise({
  name: 'annuaire',
  description: 'XML-RPC phone directory client: one command, or the lab’s menu when none is given',
  args: {
    command: { type: 'positional', required: false, description: `${commands.join(', ')} (or the French names; none: the menu)` },
    nom: { type: 'positional', required: false, description: 'a name (quote it if it has spaces)' },
    numero: { type: 'positional', required: false, description: 'a phone number (the rest of the line)' },
    offset: { type: 'string', description: 'list: skip this many entries', valueHint: 'n' },
    limit: { type: 'string', description: `list: at most this many entries (default ${pageSize})`, valueHint: 'n' },
    yes: { type: 'boolean', description: 'clear: do not ask, delete everything' },
    ...rpcClientArgs('annuaire'),
  },
  examples: [
    'netlab annuaire add "Ada Lovelace" +44 20 7946 0000',
    'netlab annuaire find "ada lovelace"',
    'netlab annuaire count --json',
    'netlab annuaire delete "Ada Lovelace"',
    'netlab annuaire clear --yes',
    'netlab annuaire list --offset 100 --limit 50',
    'netlab annuaire          # the menu',
  ],
  async run({ args, config, out, signal }) {
    const client = clientFromArgs(args, config, out, 'annuaire');
    try {
      if (!args.command) {
        const { runMenu } = await import('../lib/cli/rpc/menu.ts'); // readline, only for the menu
        await runMenu({ title: `Directory at ${client.url.href}`, items: menuItems(client, out), input: process.stdin, out, signal });
        return;
      }
      const command = checkCommand(args.command);
      checkArity(`annuaire ${command}`, args._.slice(1), arities[command]);
      const [nom, ...rest] = args._.slice(1);
      const numero = rest.length > 0 ? rest.join(' ') : undefined;
      await runCommand(command, { client, out, nom, numero, offset: parseCount(args.offset, 0, '--offset', 0), limit: parseCount(args.limit, pageSize, '--limit'), yes: args.yes === true });
    } finally {
      client.close();
    }
  },
});

interface CommandInput {
  client: RpcClient;
  out: Output;
  nom?: string;
  numero?: string;
  offset: number;
  limit: number;
  yes: boolean;
}

async function runCommand(command: Command, input: CommandInput): Promise<void> {
  const { client, out, nom, numero } = input;
  const need = (value: string | undefined, what: string) => {
    if (value) return value;
    throw new NetlabError('E_USAGE', `annuaire ${command}: missing <${what}>`, { hint: 'see: netlab annuaire --help' });
  };
  switch (command) {
    case 'add':
      await callOrFail(client, 'ajouterEntree', [need(nom, 'nom'), need(numero, 'numero')]);
      return out.result({ added: { nom, numero } }, () => out.line(`added ${shown(nom)}: ${shown(numero)}`));
    case 'find': {
      const numbers = (await callOrFail(client, 'trouverNumero', [need(nom, 'nom')])) as string[];
      return out.result({ nom, numeros: numbers }, () => numbers.forEach((number) => out.line(`${shown(nom)}: ${shown(number)}`)));
    }
    case 'count': {
      const count = (await callOrFail(client, 'nbNumeros', [])) as number;
      return out.result({ count }, () => out.line(`${count} number${count === 1 ? '' : 's'} in the directory`));
    }
    case 'delete': {
      const removed = (await callOrFail(client, 'supprimerEntree', numero ? [need(nom, 'nom'), numero] : [need(nom, 'nom')])) as number;
      return out.result({ deleted: removed }, () => out.line(`deleted ${removed} number${removed === 1 ? '' : 's'} of ${shown(nom)}`));
    }
    case 'clear': {
      if (!input.yes) throw new NetlabError('E_USAGE', 'annuaire clear deletes every entry', { hint: 'add --yes to confirm, or use the menu (it asks)' });
      const removed = (await callOrFail(client, 'supprimerTout', [])) as number;
      return out.result({ deleted: removed }, () => out.line(`deleted ${removed} number${removed === 1 ? '' : 's'}; the directory is empty`));
    }
    case 'list': {
      const entries = (await callOrFail(client, 'lister', [input.offset, input.limit])) as Entry[];
      return out.result(entries, () => printEntries(out, entries, input.offset));
    }
  }
}

function menuItems(client: RpcClient, out: Output): MenuItem[] {
  const ask = (prompter: Prompter, question: string) =>
    prompter.askUntil(question, (answer) => {
      if (answer) return answer;
      out.line('(empty: please type something)');
      return undefined;
    });
  return [
    { label: 'ajouterEntree    add a name and a number', run: async (p) => {
      const nom = await ask(p, 'nom: ');
      const numero = nom === undefined ? undefined : await ask(p, 'numero: ');
      if (numero === undefined) return false;
      await client.call('ajouterEntree', [nom!, numero]);
      out.line(`added ${shown(nom)}: ${shown(numero)}`);
    } },
    { label: 'trouverNumero    find the numbers of a name', run: async (p) => {
      const nom = await ask(p, 'nom: ');
      if (nom === undefined) return false;
      for (const number of (await client.call('trouverNumero', [nom])) as string[]) out.line(`${shown(nom)}: ${shown(number)}`);
    } },
    { label: 'nbNumeros        count the numbers', run: async () => out.line(`${(await client.call('nbNumeros', [])) as number} number(s) in the directory`) },
    { label: 'supprimerEntree  delete a name', run: async (p) => {
      const nom = await ask(p, 'nom: ');
      if (nom === undefined) return false;
      out.line(`deleted ${(await client.call('supprimerEntree', [nom])) as number} number(s) of ${shown(nom)}`);
    } },
    { label: 'supprimerTout    delete everything (asks first)', run: async (p) => {
      const count = (await client.call('nbNumeros', [])) as number;
      const answer = await p.ask(`delete all ${count} number(s)? type yes to confirm: `);
      if (answer === undefined) return false;
      if (!/^(y|yes|o|oui)$/i.test(answer)) return out.line('nothing deleted');
      out.line(`deleted ${(await client.call('supprimerTout', [])) as number} number(s)`);
    } },
    { label: 'lister           list the entries', run: async () => {
      const entries = (await client.call('lister', [0, pageSize])) as Entry[];
      printEntries(out, entries, 0);
    } },
  ];
}

function printEntries(out: Output, entries: Entry[], offset: number): void {
  if (entries.length === 0) return out.line(offset === 0 ? '(the directory is empty)' : '(no entries past this offset)');
  // Names and numbers come from the server: shown with their control characters made visible.
  out.table(entries.map(({ nom, numero }) => ({ nom: shown(nom), numero: shown(numero) })), ['nom', 'numero']);
  out.line(`(${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} from #${offset + 1}${entries.length === pageSize ? `; more with --offset ${offset + pageSize}` : ''})`);
}


function checkCommand(name: string): Command {
  const command = (commands as string[]).includes(name) ? (name as Command) : frenchToEnglish.get(name.toLowerCase());
  if (command) return command;
  throw new NetlabError('E_USAGE', `unknown command ${JSON.stringify(name)}`, { hint: `choose one of: ${commands.join(', ')} (or ${Object.values(englishAliases).join(', ')})` });
}

runIfMain(import.meta);
