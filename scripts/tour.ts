#!/usr/bin/env -S npx zx
// `npm start`: a guided tour that starts every server on loopback, runs every client against it,
// and ends with one line per lab. It leaves no server, pidfile or temporary file behind.

import { defineExercise } from '../lib/cli/exercise.ts';
import { runIfMain } from '../lib/cli/process.ts';
import { loadTourSteps, runTour } from '../lib/cli/tour/tour.ts';

export default defineExercise({
  name: 'tour',
  description: 'start the servers on loopback, run every client against them, and summarise',
  args: {
    only: { type: 'string', description: 'run only the steps whose title contains this word' },
  },
  async run({ args, config, out, signal }) {
    const steps = (await loadTourSteps()).filter((step) => !args.only || step.title.toLowerCase().includes(args.only.toLowerCase()));
    const results = await runTour(steps, { config, out, signal });
    out.line('\n━━ Summary ━━');
    out.table(
      // A step's name is its title before the parenthesis ("Sockets"): the table fits 80 columns.
      results.map((r) => ({ step: r.title.replace(/ \(.*\)$/, ''), result: r.ok ? 'ok' : 'FAILED', time: duration(r.seconds), summary: r.summary })),
      ['step', 'result', 'time', 'summary'],
    );
    return results.every((r) => r.ok) ? 0 : 1;
  },
});

/** 2.5 s, or 40 ms: a step under a second is not "0.0 s". */
function duration(seconds: number): string {
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(1)} s`;
}

runIfMain(import.meta);
