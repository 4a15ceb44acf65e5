// The ladder diagram as one self-contained HTML page: the SVG figure inline, and a panel that
// shows the details of the packet under the mouse (tshark's summary, flags, numbers, payload),
// the same text as each arrow's <title> in the SVG.
// No file, font or script is fetched from anywhere: the page works offline, as a lab report's annex.

import { arrowDetails, type Diagram } from './diagram.ts';
import { svgElement, xmlText } from './render-svg.ts';

export function renderHtml(diagram: Diagram, title: string): string {
  // The hover panel's text, by packet number. "<" is escaped so no string in it can close the <script> element.
  const data = JSON.stringify(Object.fromEntries(diagram.arrows.map((arrow) => [arrow.number, arrowDetails(arrow)]))).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${xmlText(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
  .figure { overflow-x: auto; }
  .arrow { cursor: pointer; }
  .arrow:hover line:not(.hit), .arrow.selected line:not(.hit) { stroke-width: 3; }
  .arrow:hover text, .arrow.selected text { font-weight: bold; }
  #details { position: sticky; bottom: 0; background: #f7f7f2; border: 1px solid #bbb; padding: .6em; min-height: 4.5em; white-space: pre-wrap; font-family: monospace; }
</style>
</head>
<body>
<h1>${xmlText(title)}</h1>
<p>${diagram.arrows.length} packets drawn of ${diagram.total} in the capture. Hover an arrow for its details.</p>
<div class="figure">
${svgElement(diagram)}
</div>
<pre id="details">(hover an arrow)</pre>
<script type="application/json" id="packets">${data}</script>
<script>
  const details = JSON.parse(document.getElementById('packets').textContent);
  const panel = document.getElementById('details');
  for (const arrow of document.querySelectorAll('.arrow')) {
    arrow.addEventListener('mouseenter', () => {
      document.querySelectorAll('.arrow.selected').forEach((other) => other.classList.remove('selected'));
      arrow.classList.add('selected');
      panel.textContent = details[arrow.dataset.number];
    });
  }
</script>
</body>
</html>
`;
}
