// The ladder diagram as lines of text for the terminal: a column per lane, and per packet its
// label (wrapped between the arrow's two lanes, so that it never runs over a third) above its
// arrow; the phases are named in the time column, above the time of their first packet. Unicode
// box drawing when the locale is UTF-8, plain ASCII otherwise; fitted to the width asked.

import { arrowText, type Diagram } from './diagram.ts';
import { wrapText } from '../text.ts';
import { formatTime, shorten } from './labels.ts';

export interface TerminalOptions {
  /** Columns available (the terminal's width). */
  width: number;
  /** Box drawing (│ ─ ▶) or ASCII (| - >). */
  unicode: boolean;
}

const glyphs = {
  unicode: { lane: '│', line: '─', cross: '┼', right: '▶', left: '◀', startRight: '├', startLeft: '┤', top: '┬', bottom: '┴' },
  ascii: { lane: '|', line: '-', cross: '+', right: '>', left: '<', startRight: '+', startLeft: '+', top: '+', bottom: '+' },
};

/** True when the locale's character set is UTF-8 (LC_ALL, then LC_CTYPE, then LANG decide, as in POSIX). */
export function localeIsUtf8(env: NodeJS.ProcessEnv = process.env): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(locale);
}

/** The labels' few non-ASCII signs, in ASCII (a terminal without UTF-8 would show them garbled). */
function asciiText(text: string): string {
  return text.replace(/→/g, '->').replace(/…/g, '...').replace(/[^\x20-\x7e]/g, '?');
}

export function renderTerminal(diagram: Diagram, options: TerminalOptions): string[] {
  if (diagram.arrows.length === 0) return ['(no packets to draw)', ...diagram.leftOut.map((note) => `(${note})`)];
  const g = options.unicode ? glyphs.unicode : glyphs.ascii;
  const lines = renderLines(diagram, options.width, g);
  return options.unicode ? lines : lines.map(asciiText);
}

/** At most this many lines of label per arrow: a longer one ends in "…". */
const labelLines = 4;

function renderLines(diagram: Diagram, requestedWidth: number, g: (typeof glyphs)['unicode']): string[] {
  const width = Math.max(40, requestedWidth);
  const timeWidth = 12;
  const lanesWidth = width - timeWidth;
  const count = Math.max(1, diagram.lanes.length);
  const spacing = lanesWidth / count;
  const columnOf = (lane: number) => timeWidth + Math.floor(spacing * (lane + 0.5));
  const columns = diagram.lanes.map((_, index) => columnOf(index));
  const blank = () => {
    const row = [...' '.repeat(timeWidth + lanesWidth)];
    for (const column of columns) row[column] = g.lane;
    return row;
  };
  const write = (row: string[], at: number, text: string) => {
    [...text].forEach((character, offset) => {
      if (at + offset >= 0 && at + offset < row.length) row[at + offset] = character;
    });
  };
  const lines: string[] = [];
  // The lanes' titles, three lines: role, endpoint, program, each centred over its lane.
  const cell = Math.max(4, Math.floor(spacing) - 1);
  for (const part of ['role', 'endpoint', 'program'] as const) {
    if (part === 'program' && !diagram.lanes.some((lane) => lane.program)) continue;
    const row = [...' '.repeat(timeWidth + lanesWidth)];
    diagram.lanes.forEach((lane, index) => {
      // A narrow lane shows its port alone (":8016"): on loopback every address is 127.0.0.1.
      const endpoint = lane.endpoint.length <= cell || lane.port === undefined ? lane.endpoint : `:${lane.port}`;
      const text = shorten(part === 'program' ? (lane.program ? `(${lane.program})` : '') : part === 'role' ? lane.role : endpoint, cell);
      write(row, columns[index] - Math.floor([...text].length / 2), text);
    });
    lines.push(row.join('').trimEnd());
  }
  const top = blank();
  for (const column of columns) top[column] = g.top;
  lines.push(top.join('').trimEnd());

  for (const arrow of diagram.arrows) {
    const from = columns[arrow.fromLane];
    const to = columns[arrow.toLane];
    const low = Math.min(from, to);
    const high = Math.max(from, to);
    // The label, centred between the arrow's lanes, wrapped there; an arrow to its own lane (or
    // lanes too close for a word) writes it from the arrow's start to the edge instead.
    const text = arrowText(arrow);
    const span = high - low - 3;
    const inside = span >= 8;
    const wrapped = inside ? wrapText(text, span) : [shorten(text, Math.max(4, timeWidth + lanesWidth - low - 2))];
    const label = wrapped.length <= labelLines ? wrapped : [...wrapped.slice(0, labelLines - 1), shorten(wrapped.slice(labelLines - 1).join(' '), span)];
    const phase = arrow.phaseStart ? wrapText(arrow.phaseStart, timeWidth - 2) : [];
    const rows = Math.max(label.length, phase.length);
    for (let index = 0; index < rows; index++) {
      const row = blank();
      const part = label[index - (rows - label.length)]; // the label sits right above its arrow
      if (part) write(row, inside ? low + 2 + Math.floor((span - [...part].length) / 2) : low + 2, part);
      if (phase[index]) write(row, 0, phase[index].padStart(timeWidth - 2));
      lines.push(row.join('').trimEnd());
    }

    const arrowRow = blank();
    write(arrowRow, 0, formatTime(arrow.time).padStart(timeWidth - 2));
    for (let column = low + 1; column < high; column++) arrowRow[column] = columns.includes(column) ? g.cross : g.line;
    if (from < to) {
      arrowRow[from] = g.startRight;
      arrowRow[to - 1] = g.right;
    } else if (from > to) {
      arrowRow[from] = g.startLeft;
      arrowRow[to + 1] = g.left;
    }
    lines.push(arrowRow.join('').trimEnd());
  }
  const bottom = blank();
  for (const column of columns) bottom[column] = g.bottom;
  lines.push(bottom.join('').trimEnd());
  for (const note of diagram.leftOut) lines.push(`(${note})`);
  return lines;
}
