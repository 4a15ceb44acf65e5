// The tour (`npm start`): each lab contributes one step file in lib/cli/tour/steps/ that starts its
// servers on free loopback ports, runs its clients against them, and cleans up after itself.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LoadedConfig } from '../../config/load.ts';
import { prepareStateDir } from '../../state-dirs.ts';
import type { Output } from '../output.ts';

export interface TourContext {
  /** The configuration, with dataDir/pidDir/logDir in a fresh temporary folder. */
  config: LoadedConfig;
  out: Output;
  signal: AbortSignal;
  /** The project's own dataDir (made on first call): where the tour leaves what a person may open afterwards (graphs). */
  keepDir(): string;
  /** Registers a clean-up (closing a server…); run in reverse order even when the step fails. */
  defer(cleanup: () => unknown): void;
}

export interface TourStep {
  /** "Sockets", "Finger"… */
  title: string;
  /** Runs the step; resolves to its one-line summary. */
  run(context: TourContext): Promise<string>;
}

export interface TourResult {
  title: string;
  ok: boolean;
  summary: string;
  seconds: number;
}

const stepsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'steps');

/** The steps, in the order of their file names (1-sockets.ts, 2-finger.ts …). */
export async function loadTourSteps(folder = stepsFolder): Promise<TourStep[]> {
  const files = readdirSync(folder)
    .filter((file) => /\.(ts|js)$/.test(file)) // .js in the compiled copy (bin/build.js)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return Promise.all(files.map(async (file) => (await import(pathToFileURL(path.join(folder, file)).href)).default as TourStep));
}

/** Runs every step; a failing step is reported and the tour goes on. Leaves nothing behind. */
export async function runTour(steps: TourStep[], base: Omit<TourContext, 'defer' | 'keepDir'>): Promise<TourResult[]> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'netlab-tour-'));
  const config: LoadedConfig = {
    ...base.config,
    dataDir: path.join(scratch, 'data'),
    pidDir: path.join(scratch, 'run'),
    logDir: path.join(scratch, 'log'),
    pidFiles: {},
  };
  const results: TourResult[] = [];
  try {
    for (const [index, step] of steps.entries()) {
      if (base.signal.aborted) break;
      base.out.line(`\n━━ ${index + 1}. ${step.title} ━━`);
      const cleanups: (() => unknown)[] = [];
      const started = performance.now();
      let ok = true;
      let summary: string;
      try {
        summary = await step.run({ ...base, config, keepDir: () => prepareStateDir(base.config, 'dataDir'), defer: (cleanup) => cleanups.push(cleanup) });
      } catch (error) {
        ok = false;
        summary = `FAILED: ${(error as Error).message}`;
        base.out.line(`  ✗ ${summary}`);
      } finally {
        for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
      }
      results.push({ title: step.title, ok, summary, seconds: (performance.now() - started) / 1000 });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return results;
}
