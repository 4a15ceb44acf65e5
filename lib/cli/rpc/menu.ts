// The lab's numbered menus, read line by line from any stream: a terminal, or a pipe of answers
// (tests and scripts drive the menus that way). Faults are printed and the menu goes on.

import type { Readable } from 'node:stream';
import readline from 'node:readline';
import { isNetlabError } from '../../errors.ts';
import type { Output } from '../output.ts';
import { isRpcFault } from '../../rpc/faults.ts';

/** Asks questions on `out` and reads answers from `input`; undefined means the input ended. */
export class Prompter {
  // readline's async iterator buffers lines, so answers piped all at once are none of them lost.
  private readonly lines: AsyncIterator<string>;
  private readonly rl: readline.Interface;

  private readonly out: Output;

  constructor(
    input: Readable,
    out: Output,
  ) {
    this.out = out;
    this.rl = readline.createInterface({ input, crlfDelay: Infinity, terminal: false });
    this.lines = this.rl[Symbol.asyncIterator]();
  }

  async ask(question: string): Promise<string | undefined> {
    this.out.stdout.write(question);
    const next = await this.lines.next();
    if (next.done) {
      this.out.stdout.write('\n');
      return undefined;
    }
    return next.value.trim();
  }

  /** Asks until `parse` accepts the answer (it returns undefined and says why otherwise). */
  async askUntil<T>(question: string, parse: (answer: string) => T | undefined): Promise<T | undefined> {
    for (;;) {
      const answer = await this.ask(question);
      if (answer === undefined) return undefined;
      const value = parse(answer);
      if (value !== undefined) return value;
    }
  }

  close(): void {
    this.rl.close();
  }
}

export interface MenuItem {
  label: string;
  /** Runs the choice; resolves false when the input ended in the middle of it. */
  run(prompter: Prompter): Promise<boolean | void>;
}

/** Shows the menu (1…n, 0 quit) until 0, the end of input, or Ctrl-C. */
export async function runMenu(options: { title: string; items: MenuItem[]; input: Readable; out: Output; signal: AbortSignal }): Promise<void> {
  const { title, items, input, out, signal } = options;
  const prompter = new Prompter(input, out);
  const onAbort = () => prompter.close();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      out.line(`\n${title}`);
      items.forEach((item, i) => out.line(`  ${i + 1}  ${item.label}`));
      out.line('  0  quit');
      const choice = await prompter.askUntil(`choice [0-${items.length}]: `, (answer) => {
        const index = /^\d+$/.test(answer) ? Number(answer) : NaN;
        if (index >= 0 && index <= items.length) return index;
        out.line(`invalid choice ${JSON.stringify(answer)}: type a number from 0 to ${items.length}`);
        return undefined;
      });
      if (choice === undefined || choice === 0 || signal.aborted) return;
      try {
        if ((await items[choice - 1].run(prompter)) === false) return;
      } catch (error) {
        if (isRpcFault(error)) out.line(error.toString());
        else if (isNetlabError(error)) out.line(`error: ${error.toString()}`);
        else throw error;
      }
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    prompter.close();
  }
}
