// Pictures: the SVG is well-formed XML (xmllint) with a disc per node, and the HTML page, opened
// from file:// in headless Chromium, draws on a canvas and finds an account by search.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { randomGraph } from '../lib/graph/random.ts';
import { renderHtml, renderSvg } from '../lib/graph/render.ts';
import { tempDir } from './helpers.ts';
import { missingPeers, skipWithout } from './peers/available.ts';
import { openInChromium } from './peers/chromium.ts';

test('the SVG picture is well-formed, with one disc per node and labels escaped', async (t) => {
  const dir = tempDir(t);
  const graph = randomGraph({ nodes: 80, edges: 300, seed: 5 });
  graph.mergeNodeAttributes('0', { handle: 'a<b>&"c"\u0001' }); // the biggest node: it gets a label
  const file = path.join(dir, 'graph.svg');
  await renderSvg(graph, file, { title: 'Réseaux & <Télécom>' });
  const svg = readFileSync(file, 'utf8');
  assert.equal(svg.match(/<circle /g)?.length, 80);
  assert.match(svg, /<title>Réseaux &amp; &lt;Télécom&gt; — 80 nodes, 300 edges<\/title>/);
  assert.match(svg, />a&lt;b&gt;&amp;&quot;c&quot;\ufffd</, 'a label is escaped, its control character replaced by U+FFFD');
  const lines = svg.match(/<line /g)?.length ?? 0;
  const mutualPairs = graph.filterEdges((_e, a) => a.mutual === true).length / 2;
  assert.equal(lines, 300 - mutualPairs, 'a mutual pair is drawn as one line');
  if (skipWithout(t, 'xmllint')) return;
  execFileSync('xmllint', ['--noout', file], { stdio: ['ignore', 'pipe', 'pipe'] }); // throws if not well-formed
});

test('the HTML page works offline in headless Chromium: a canvas, hover details, search', { timeout: 30_000, skip: missingPeers('chromium') }, async (t) => {
  const dir = tempDir(t);
  const graph = randomGraph({ nodes: 150, edges: 600, seed: 9 });
  const wanted = graph.getNodeAttributes('42');
  const file = path.join(dir, 'graph.html');
  await renderHtml(graph, file, { title: 'search test' });
  assert.doesNotMatch(readFileSync(file, 'utf8'), /<script[^>]+src=|<link[^>]+href=/, 'self-contained: no external script or stylesheet');

  // Offline means offline: any request other than the file itself fails the test.
  const { page, errors, requests } = await openInChromium(t, file);

  await page.locator('canvas').first().waitFor({ state: 'attached', timeout: 10_000 });
  assert.equal(await page.locator('#error').textContent(), '', 'sigma started');
  assert.match((await page.locator('#summary').textContent()) ?? '', /^150 accounts, 600 follows/);

  // Hover: the mouse over a node (one clear of the panel) shows its label and details.
  const target = await page.evaluate(() => {
    const { graph, renderer } = (window as any).netlab;
    for (const node of graph.nodes()) {
      const at = renderer.framedGraphToViewport(renderer.getNodeDisplayData(node));
      if (at.x > 400 && at.y > 100 && at.x < 1000 && at.y < 600) return at;
    }
    throw new Error('no node in the middle of the view');
  });
  await page.mouse.move(target.x - 20, target.y - 20);
  await page.mouse.move(target.x, target.y, { steps: 4 });
  // Another node may lie on top at that point: whichever is hovered must be the one described.
  const hovered = await page.waitForFunction(() => {
    const { graph, renderer } = (window as any).netlab;
    const node = graph.nodes().find((n: string) => renderer.getNodeState(n).isHovered);
    return node === undefined ? false : graph.getNodeAttribute(node, 'handle');
  }, undefined, { timeout: 5_000 });
  assert.match((await page.locator('#details').textContent()) ?? '', new RegExp(`handle${await hovered.jsonValue()}`));

  // As a user does: the pointer goes to the search box. Left over the canvas, it would hover
  // whatever node the camera brings under it while it moves to the one found.
  await page.hover('#search');
  await page.fill('#search', `@${wanted.handle!.toUpperCase()}`);
  await page.press('#search', 'Enter');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('Found'), undefined, { timeout: 5_000 });
  assert.equal(await page.locator('#status').textContent(), `Found ${wanted.handle}.`);
  const details = (await page.locator('#details').textContent()) ?? '';
  assert.ok(details.includes(wanted.name!) && details.includes(String(wanted.followers)), details);
  assert.equal(await page.evaluate(() => (window as any).netlab.renderer.getNodeState('42').isHighlighted), true);

  await page.fill('#search', 'nobody-has-this-name');
  await page.press('#search', 'Enter');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('No account'), undefined, { timeout: 5_000 });

  assert.deepEqual(errors, []);
  assert.deepEqual(requests.filter((url) => url !== `file://${file}`), []);
});
