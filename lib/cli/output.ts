// How exercises talk to the person at the terminal: lines, tables, JSON, warnings.
// One object per run, so tests can capture everything an exercise prints.

import type { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { NetlabError } from '../errors.ts';
import { wrapText } from '../text.ts';

export interface OutputOptions {
  stdout: Writable;
  stderr: Writable;
  /** --json: results go out as JSON documents, human lines are dropped. */
  json?: boolean;
  /** --quiet: only results and errors. */
  quiet?: boolean;
}

export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly stdout: Writable;
  readonly stderr: Writable;

  constructor(options: OutputOptions) {
    this.stdout = options.stdout;
    this.stderr = options.stderr;
    this.json = options.json ?? false;
    this.quiet = options.quiet ?? false;
  }

  /** True when a person is watching (progress bars, colours, prompts make sense). */
  get isTTY(): boolean {
    return Boolean((this.stdout as { isTTY?: boolean }).isTTY);
  }

  /** A line of the result (dropped under --json, where `result` carries the data). */
  line(text = ''): void {
    if (!this.json) this.stdout.write(`${text}\n`);
  }

  /** Progress and narration: dropped under --quiet and --json. */
  info(text: string): void {
    if (!this.json && !this.quiet) this.stdout.write(`${text}\n`);
  }

  /** A result as data: printed as JSON under --json, else through `human`. */
  result(value: unknown, human?: (value: any) => void): void {
    if (this.json) this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    else if (human) human(value);
    else this.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);
  }

  /** One JSON document per line (--json streams: datagrams, events). */
  jsonLine(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** About the run itself ("waiting…; Ctrl-C to stop"): on stderr, apart from the results; dropped under --quiet. */
  note(text: string): void {
    if (!this.quiet) this.stderr.write(`${text}\n`);
  }

  warn(text: string): void {
    this.stderr.write(`warning: ${text}\n`);
  }

  /** The one line an error ends a command with. */
  error(error: NetlabError): void {
    if (this.json) this.stderr.write(`${JSON.stringify({ error: error.toJSON() })}\n`);
    else this.stderr.write(`error: ${error.toString()}\n`);
  }

  /**
   * Rows under a header, columns padded to their widest cell. On a terminal the last column wraps
   * under itself at the terminal's edge (when that leaves it 20 columns or more), so that a long
   * note or summary never folds back across the others; a pipe or a file gets whole lines.
   */
  table(rows: Record<string, unknown>[], columns: string[]): void {
    const cells = [columns.map((c) => c.toUpperCase()), ...rows.map((row) => columns.map((c) => String(row[c] ?? '')))];
    const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
    const indent = widths.slice(0, -1).reduce((sum, width) => sum + width + 2, 0);
    const room = (this.isTTY && (this.stdout as { columns?: number }).columns) || Infinity;
    const lastWidth = room - indent >= 20 ? room - indent : Infinity;
    for (const row of cells) {
      const [first, ...more] = wrapText(row[row.length - 1], lastWidth);
      this.line([...row.slice(0, -1).map((cell, i) => cell.padEnd(widths[i])), first].join('  '));
      for (const line of more) this.line(`${' '.repeat(indent)}${line}`);
    }
  }
}

/**
 * Whether text for `stream` may carry ANSI colours. FORCE_COLOR says yes (and "0" or "false"
 * says no), winning over NO_COLOR as in Node itself; NO_COLOR, any value (no-color.org), says no;
 * otherwise only a terminal does, unless TERM=dumb. A file or a pipe gets plain text.
 */
export function wantsColour(stream: Writable, env: NodeJS.ProcessEnv): boolean {
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  if (env.NO_COLOR) return false;
  return Boolean((stream as { isTTY?: boolean }).isTTY) && env.TERM !== 'dumb';
}

/** `text` as it may go to `stream`: its colours removed unless the stream wants them. */
export function fitColours(text: string, stream: Writable, env: NodeJS.ProcessEnv): string {
  return wantsColour(stream, env) ? text : stripVTControlCharacters(text);
}
