// The one XML escaper (lib/xml-escape.ts) that the GEXF, SVG and XML-RPC writers share: what it
// writes, and that a real XML parser (Python's expat) reads the text back, in an element and in
// an attribute, with U+FFFD where XML 1.0 cannot carry a character.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { escapeXml } from '../lib/xml-escape.ts';
import { missingPeers, peers } from './peers/available.ts';

const awkward = 'a<b>&"c" \'d\' tab\tline\nCR\rbell\u0007 nul\u0000 lone\ud800 pair\u{1F600} end\uffff';
const expected = 'a<b>&"c" \'d\' tab\tline\nCR\rbell\ufffd nul\ufffd lone\ufffd pair\u{1F600} end\ufffd';

test('markup and whitespace become references; what XML cannot carry becomes U+FFFD', () => {
  assert.equal(escapeXml('plain text, é€😀'), 'plain text, é€😀', 'nothing to do: the same string');
  assert.equal(escapeXml('a\u0000b<'), 'a\ufffdb&lt;');
  assert.equal(escapeXml(awkward), 'a&lt;b&gt;&amp;&quot;c&quot; \'d\' tab&#9;line&#10;CR&#13;bell\ufffd nul\ufffd lone\ufffd pair\u{1F600} end\ufffd');
});

test('a real XML parser reads the escaped text back, in an element and in an attribute', { skip: missingPeers('python3') }, () => {
  const document = `<?xml version="1.0" encoding="UTF-8"?><t v="${escapeXml(awkward)}">${escapeXml(awkward)}</t>`;
  const read = execFileSync(
    peers.python3.file,
    ['-c', 'import json, sys, xml.etree.ElementTree as E; t = E.fromstring(sys.stdin.buffer.read()); print(json.dumps([t.get("v"), t.text]))'],
    { input: Buffer.from(document, 'utf8'), encoding: 'utf8' },
  );
  assert.deepEqual(JSON.parse(read), [expected, expected]);
});
