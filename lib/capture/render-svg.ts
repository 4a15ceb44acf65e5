// The ladder diagram as an SVG picture, laid out like a textbook figure: a box per lane at the
// top with its role, endpoint and program, a dashed lifeline under it, time going down, each
// arrow slanting a little from sender to receiver with its label above it, and the phases
// bracketed in the right margin. Each arrow has a <title>, which viewers show on hover.

import { arrowDetails, arrowText, type Arrow, type Diagram } from './diagram.ts';
import { formatTime } from './labels.ts';

/** Text safe inside XML: markup escaped, and characters XML 1.0 forbids (§2.2) replaced. */
export function xmlText(text: string): string {
  return text
    .replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const font = 12;
/** A monospace character's width at that size, near enough to lay labels out. */
const characterWidth = font * 0.62;
const rowHeight = 38;
const headerHeight = 72;
const timeMargin = 90;
const slant = 12;

interface SvgLayout {
  width: number;
  height: number;
  laneX: number[];
  arrowY: (index: number) => number;
}

/** Where everything goes: lanes far enough apart for their longest label. */
function svgLayout(diagram: Diagram): SvgLayout {
  const longest = Math.max(24, ...diagram.arrows.map((arrow) => arrowText(arrow).length), ...diagram.lanes.map((lane) => lane.endpoint.length + 8));
  const gap = Math.min(640, Math.max(220, longest * characterWidth + 40));
  const phaseMargin = diagram.arrows.some((arrow) => arrow.phaseStart) ? 260 : 40;
  const laneX = diagram.lanes.map((_, index) => timeMargin + gap / 2 + index * gap);
  const width = Math.round(timeMargin + gap * Math.max(1, diagram.lanes.length) + phaseMargin);
  const height = headerHeight + 30 + diagram.arrows.length * rowHeight + 30 + diagram.leftOut.length * 18;
  return { width, height, laneX, arrowY: (index) => headerHeight + 40 + index * rowHeight };
}

/** Each phase's run of arrows: its first and last arrow (by index), for the margin's brackets. */
function phaseRuns(arrows: Arrow[]): { name: string; first: number; last: number }[] {
  const runs: { name: string; first: number; last: number }[] = [];
  arrows.forEach((arrow, index) => {
    if (arrow.phaseStart) runs.push({ name: arrow.phaseStart, first: index, last: index });
    else {
      const open = runs.at(-1);
      if (open && open.name === arrow.phase && open.last === index - 1) open.last = index;
    }
  });
  return runs;
}

/** The <svg> element itself, which the HTML page embeds. */
export function svgElement(diagram: Diagram): string {
  const layout = svgLayout(diagram);
  const { laneX } = layout;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="${font}">`,
    '<defs><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#222"/></marker></defs>',
    '<rect width="100%" height="100%" fill="#fff"/>',
  );
  const bottom = layout.arrowY(diagram.arrows.length) + 4;
  diagram.lanes.forEach((lane, index) => {
    const x = laneX[index];
    const lines = [lane.role, lane.endpoint, lane.program ? `(${lane.program})` : ''].filter(Boolean);
    const boxWidth = Math.max(...lines.map((line) => line.length)) * characterWidth + 20;
    parts.push(
      `<g class="lane" data-endpoint="${xmlText(lane.endpoint)}">`,
      `<rect x="${(x - boxWidth / 2).toFixed(1)}" y="10" width="${boxWidth.toFixed(1)}" height="${headerHeight - 20}" rx="4" fill="#eef3fb" stroke="#345"/>`,
      ...lines.map((line, row) => `<text x="${x.toFixed(1)}" y="${28 + row * 15}" text-anchor="middle"${row === 0 ? ' font-weight="bold"' : ''}>${xmlText(line)}</text>`),
      `<line x1="${x.toFixed(1)}" y1="${headerHeight - 10}" x2="${x.toFixed(1)}" y2="${bottom}" stroke="#678" stroke-dasharray="4 3"/>`,
      '</g>',
    );
  });
  diagram.arrows.forEach((arrow, index) => {
    const y = layout.arrowY(index);
    const x1 = laneX[arrow.fromLane];
    const x2 = laneX[arrow.toLane];
    const colour = arrow.protocol === 'icmp' ? '#b00' : arrow.flags.includes('RST') ? '#b00' : arrow.protocol === 'udp' ? '#06a' : '#222';
    parts.push(
      `<g class="arrow" data-number="${arrow.number}" data-from="${xmlText(arrow.from)}" data-to="${xmlText(arrow.to)}">`,
      `<title>${xmlText(arrowDetails(arrow))}</title>`,
      `<text x="${timeMargin - 12}" y="${y + slant}" text-anchor="end" fill="#555">${xmlText(formatTime(arrow.time))}</text>`,
      `<line x1="${x1.toFixed(1)}" y1="${y}" x2="${x2.toFixed(1)}" y2="${y + slant}" stroke="${colour}" stroke-width="1.5" marker-end="url(#head)"/>`,
      // A wide invisible stroke over the arrow, so that the mouse finds it easily.
      `<line class="hit" x1="${x1.toFixed(1)}" y1="${y}" x2="${x2.toFixed(1)}" y2="${y + slant}" stroke="#fff" stroke-opacity="0" stroke-width="14"/>`,
      `<text x="${((x1 + x2) / 2).toFixed(1)}" y="${y - 4}" text-anchor="middle" fill="${colour}">${xmlText(arrowText(arrow))}</text>`,
      '</g>',
    );
  });
  const phaseX = laneX.at(-1)! + 40;
  for (const run of phaseRuns(diagram.arrows)) {
    const top = layout.arrowY(run.first) - 12;
    const end = layout.arrowY(run.last) + slant + 4;
    parts.push(
      `<g class="phase"><path d="M${phaseX},${top} h6 V${end} h-6" fill="none" stroke="#888"/>`,
      `<text x="${phaseX + 12}" y="${((top + end) / 2 + 4).toFixed(1)}" font-style="italic" fill="#444">${xmlText(run.name)}</text></g>`,
    );
  }
  diagram.leftOut.forEach((note, index) => parts.push(`<text x="10" y="${bottom + 24 + index * 18}" fill="#a40">${xmlText(`(${note})`)}</text>`));
  parts.push('</svg>');
  return parts.join('\n');
}

/** A standalone SVG file. */
export function renderSvg(diagram: Diagram): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${svgElement(diagram)}\n`;
}
