// The reporter of `npm test`: node:test's spec reporter, plus one summary of what was skipped and
// the one `apt-get install` line that would run it, printed just before the final tallies (so the
// run still ends with node's own "tests / pass / fail" lines).
// Plain JavaScript: node loads a reporter before any --import hook, so tsx cannot load it.

import { Transform } from 'node:stream';
import { spec as SpecReporter } from 'node:test/reporters';

/** "(Debian package X)", as test/peers/available.ts words a missing peer. */
const debianPackage = /\(Debian package ([\w.+-]+)\)/g;

export default class PeerSummaryReporter extends Transform {
  #spec = new SpecReporter();
  /** @type {{ name: string, reason: string }[]} */
  #skipped = [];
  #summarised = false;

  constructor() {
    super({ writableObjectMode: true });
    this.#spec.on('data', (chunk) => this.push(chunk));
  }

  _transform(event, _encoding, done) {
    if (event.type === 'test:pass' && event.data.skip) {
      this.#skipped.push({ name: event.data.name, reason: typeof event.data.skip === 'string' ? event.data.skip : 'skipped' });
    }
    // The first top-level tally ("tests 301") opens node's closing lines: the summary goes first.
    if (!this.#summarised && event.type === 'test:diagnostic' && event.data.nesting === 0 && /^tests \d+$/.test(event.data.message)) {
      this.#summarised = true;
      for (const message of this.#summary()) this.#spec.write({ type: 'test:diagnostic', data: { nesting: 0, message } });
    }
    this.#spec.write(event, done);
  }

  _flush(done) {
    this.#spec.once('end', () => done());
    this.#spec.end();
  }

  #summary() {
    if (this.#skipped.length === 0) return ['skipped: none'];
    const packages = new Set();
    for (const { reason } of this.#skipped) for (const [, name] of reason.matchAll(debianPackage)) packages.add(name);
    const lines = [`skipped ${this.#skipped.length}:`];
    for (const { name, reason } of this.#skipped) lines.push(`  ${name} — ${reason.replace(/^SKIPPED LOUDLY: /, '')}`);
    if (packages.size > 0) lines.push(`to run them: sudo apt-get install ${[...packages].sort().join(' ')}`);
    return lines;
  }
}
