// Diagrams of saved capture files: a small real one (tcpdump's pcap, and the same as Wireshark's
// pcapng) against its golden diagram, the SVG checked by xmllint, the HTML page in headless
// Chromium, and hostile files (cut short, damaged, not a capture, an unknown link type, 100,000 packets).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { diagramOfFile } from '../lib/capture/draw.ts';
import { renderTerminal } from '../lib/capture/render-terminal.ts';
import { packageRoot } from '../lib/paths.ts';
import captureScript from '../scripts/capture.ts';
import { capture, isolatedEnv, tempDir } from './helpers.ts';
import { missingPeers } from './peers/available.ts';
import { openInChromium } from './peers/chromium.ts';
import { echoCapture, writeEchoCapture } from '../peers/pcap-writer.ts';

const fixtures = path.join(packageRoot, 'test', 'fixtures', 'capture');
const saved = path.join(fixtures, 'echo-and-unreachable.pcap');
const golden = path.join(fixtures, 'echo-and-unreachable.txt');
const needsTshark = { skip: missingPeers('tshark') };

test('at 80 columns no label runs over a lane: every lane keeps its line on every row', needsTshark, async () => {
  const lines = renderTerminal(await diagramOfFile(saved), { width: 80, unicode: true });
  const topRow = lines.findIndex((line) => line.includes('┬'));
  const lanes = [...lines[topRow]].flatMap((character, column) => (character === '┬' ? [column] : []));
  assert.equal(lanes.length, 4);
  for (const line of lines.slice(topRow)) {
    assert.ok([...line].length <= 80, line);
    for (const column of lanes) assert.match([...line][column] ?? '', /[│┬┴├┤▶◀┼]/, `lane at ${column} in ${JSON.stringify(line)}`);
  }
  assert.ok(lines.some((line) => line.includes('"hello\\n"')), 'the payload is shown whole, wrapped');
});

test('a saved capture (a TCP echo, then UDP to a closed port) draws as its golden diagram, from pcap and pcapng alike', needsTshark, async () => {
  const lines = renderTerminal(await diagramOfFile(saved), { width: 100, unicode: true });
  // NETLAB_UPDATE_GOLDEN=1 rewrites the golden file after a deliberate change of the drawing.
  if (process.env.NETLAB_UPDATE_GOLDEN === '1') writeFileSync(golden, `${lines.join('\n')}\n`);
  assert.equal(`${lines.join('\n')}\n`, readFileSync(golden, 'utf8'));
  const fromPcapng = renderTerminal(await diagramOfFile(saved.replace(/\.pcap$/, '.pcapng')), { width: 100, unicode: true });
  assert.deepEqual(fromPcapng, lines);
});

test('the terminal diagram fits the width asked, and is pure ASCII when the locale is not UTF-8', needsTshark, async () => {
  const diagram = await diagramOfFile(saved);
  for (const width of [60, 100, 180]) {
    const lines = renderTerminal(diagram, { width, unicode: true });
    // The phase names sit in the margin, inside the width too.
    assert.ok(lines.filter((line) => !line.startsWith('(')).every((line) => [...line].length <= width), `width ${width}:\n${lines.join('\n')}`);
  }
  const ascii = renderTerminal(diagram, { width: 100, unicode: false });
  assert.ok(ascii.every((line) => /^[\x20-\x7e]*$/.test(line)), ascii.join('\n'));
  assert.ok(ascii.some((line) => /\+-+>\|/.test(line)) && ascii.some((line) => /\|<-+\+/.test(line)), 'arrows both ways');
});

test('--json: lanes with endpoint and role, arrows with from, to, time, flags and label', needsTshark, async () => {
  const result = await capture(captureScript, ['--read', saved, '--json']);
  assert.equal(result.code, 0, result.stderr);
  const data = JSON.parse(result.stdout);
  assert.deepEqual(data.lanes.map((lane: { role: string }) => lane.role), ['client', 'server', 'client', 'server']);
  assert.equal(data.arrows.length, 12);
  const [syn] = data.arrows;
  assert.deepEqual({ from: syn.from, to: syn.to, time: syn.time, flags: syn.flags, label: syn.label, phase: syn.phase }, { from: '127.0.0.1:34592', to: '127.0.0.1:44959', time: 0, flags: 'SYN', label: '', phase: 'three-way handshake' });
  const icmp = data.arrows.at(-1);
  assert.equal(icmp.from, '127.0.0.1:35954');
  assert.equal(icmp.to, '127.0.0.1:42168');
});

test('--out x.svg is a well-formed picture xmllint accepts, one arrow per packet', { skip: missingPeers('tshark', 'xmllint') }, async (t) => {
  const file = path.join(tempDir(t), 'echo.svg');
  const result = await capture(captureScript, ['--read', saved, '--out', file]);
  assert.equal(result.code, 0, result.stderr);
  execFileSync('xmllint', ['--noout', file]); // throws on any well-formedness error
  const svg = readFileSync(file, 'utf8');
  assert.equal(svg.match(/<g class="arrow"/g)?.length, 12);
  assert.match(svg, /three-way handshake/);
  assert.match(svg, /ICMP port unreachable/);
});

test('--out x.html works offline in headless Chromium: one arrow per packet, details on hover', { timeout: 30_000, skip: missingPeers('tshark', 'chromium') }, async (t) => {
  const file = path.join(tempDir(t), 'echo.html');
  const result = await capture(captureScript, ['--read', saved, '--out', file]);
  assert.equal(result.code, 0, result.stderr);
  const { page, errors, requests } = await openInChromium(t, file);
  assert.equal(await page.locator('.arrow').count(), 12);
  await page.locator('.arrow[data-number="4"] line.hit').hover();
  await page.waitForFunction(() => document.getElementById('details')?.textContent?.startsWith('packet #4'));
  const details = (await page.locator('#details').textContent()) ?? '';
  assert.match(details, /127\.0\.0\.1:34592 → 127\.0\.0\.1:44959 {3}TCP \[PSH, ACK\] seq=1 ack=1 len=6/);
  assert.match(details, /"hello\\n"/);
  assert.match(details, /tshark: 34592 → 44959 \[PSH, ACK\]/);
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, [`file://${file}`], 'nothing fetched but the page');
});

test('hostile files: each is one sentence and exit code 2, never a crash', needsTshark, async (t) => {
  const dir = tempDir(t);
  const whole = echoCapture(10);
  const damaged = Buffer.from(whole);
  damaged.writeUInt32LE(0xffffff, 24 + 8); // the first record claims 16 MB
  const files = {
    'cut.pcap': [whole.subarray(0, whole.length - 20), /cut\.pcap is cut short in the middle of a packet \(after 9 whole packets\)/],
    'damaged.pcap': [damaged, /damaged\.pcap is damaged: File has 16777215-byte packet/],
    'text.pcap': [Buffer.from('GET / HTTP/1.0\r\n\r\n'), /text\.pcap is not a capture file \(pcap or pcapng\)/],
    'link.pcap': [echoCapture(10, 8016, 4242), /link\.pcap holds packets of a link type Wireshark does not know \(4242\)/],
    'empty.pcap': [Buffer.alloc(0), /empty\.pcap is empty: not a capture file \(pcap or pcapng\)/],
  } as const;
  for (const [name, [bytes, message]] of Object.entries(files)) {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    const result = await capture(captureScript, ['--read', file, '--diagram']);
    assert.equal(result.code, 2, `${name}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.equal(result.stdout, '');
  }
  // A link type Wireshark knows but that carries no IP (DLT_USER0): nothing to draw, said so.
  const user0 = path.join(dir, 'user0.pcap');
  writeFileSync(user0, echoCapture(10, 8016, 147));
  const result = await capture(captureScript, ['--read', user0, '--diagram']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^none of the 10 packets is TCP, UDP or ICMP over IP: nothing to draw$/m);
  const folder = await capture(captureScript, ['--read', dir, '--diagram']);
  assert.equal(folder.code, 2);
  assert.match(folder.stderr, /is a folder, not a capture file/);
  const missing = await capture(captureScript, ['--read', path.join(dir, 'nothing-here.pcap')]);
  assert.equal(missing.code, 6);
  assert.match(missing.stderr, /there is no capture file/);
});

test('100,000 packets: the diagram is bounded and says what it left out', { timeout: 30_000, skip: missingPeers('tshark', 'xmllint') }, async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'big.pcap');
  writeEchoCapture(file, 100_000);
  const svg = path.join(dir, 'big.svg');
  const result = await capture(captureScript, ['--read', file, '--out', svg]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /99,700 later packets left out: the diagram draws the first 300 of 100,000/);
  const text = readFileSync(svg, 'utf8');
  // 300 packets of 30 connections to one server: 31 lanes, of which 8 are drawn.
  assert.equal(text.match(/<g class="arrow"/g)?.length, 70);
  assert.match(text, /99,700 later packets left out/);
  assert.match(text, /230 packets between 23 further endpoints left out \(the diagram has 8 lanes at most\)/);
  execFileSync('xmllint', ['--noout', svg]);
});

test('--exercise names a service that is not running: one sentence, exit 1, nothing captured', async (t) => {
  const dir = tempDir(t);
  const result = await capture(captureScript, ['--exercise', 'fingerd', '--diagram'], { env: isolatedEnv(dir) });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /^error: no fingerd is running, so there is no port to capture — start it first \(netlab start fingerd\), or give the port: --port N$/m);
  const both = await capture(captureScript, ['--exercise', 'fingerd', '--port', '7979']);
  assert.equal(both.code, 2);
});
