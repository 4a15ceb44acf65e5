// Finds the exercises: every scripts/*.ts and plugins/*.ts, and the packages named in the config.
// Files are imported only when needed: `netlab fingerd` loads scripts/fingerd.ts alone.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { NetlabError } from '../errors.ts';
import { importFile, sourceOf } from '../modules.ts';
import { packageRoot } from '../paths.ts';
import { isExercise, type Exercise } from './exercise.ts';

export interface RegistryOptions {
  /** The project root: scripts/ and plugins/ are looked for there. */
  root: string;
  /** Package names or paths from config.plugins… */
  packages?: string[];
  /** …resolved from this folder (the config file's; default: root). */
  packageBase?: string;
  /** Extra folders of exercise files (tests use it). */
  folders?: string[];
  /** Use root's exercises.json, when there is one (the compiled copy, whose freshness bin/netlab.js checked). */
  useCatalogue?: boolean;
}

/** What `netlab list` and `status` show of an exercise, without running it. */
export interface ExerciseSummary {
  name: string;
  description: string;
  service: boolean;
  /** The file or package it came from. */
  source: string;
}

/**
 * The summaries of the exercises in scripts/ and plugins/, written by the build (bin/build.js)
 * beside the compiled files as exercises.json, so that `netlab list` imports none of them
 * (together they load ftp-srv, better-sqlite3, graphology…: half a second). `file` is relative
 * to the registry's root, `source` to the checkout.
 */
export const catalogueFile = 'exercises.json';
export interface CatalogueEntry extends ExerciseSummary {
  file: string;
}

export interface RegisteredExercise {
  exercise: Exercise;
  /** The file or package it came from, for messages. */
  source: string;
}

const validName = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

export class Registry {
  private readonly options: RegistryOptions;
  private all?: Promise<Map<string, RegisteredExercise>>;

  constructor(options: RegistryOptions) {
    this.options = options;
  }

  /** The exercise files, without importing them. */
  files(): string[] {
    const folders = [path.join(this.options.root, 'scripts'), path.join(this.options.root, 'plugins'), ...(this.options.folders ?? [])];
    return folders.flatMap((folder) =>
      existsSync(folder)
        ? readdirSync(folder)
            .filter((file) => /\.(ts|mts|js|mjs)$/.test(file) && !file.startsWith('_') && !/\.d\.ts$|\.test\./.test(file))
            .sort()
            .map((file) => path.join(folder, file))
        : [],
    );
  }

  /** Every exercise's summary, by name: from the catalogue when it covers them all, else by importing. */
  async summaries(): Promise<Map<string, ExerciseSummary>> {
    const catalogue = this.catalogue();
    if (catalogue) return new Map(catalogue.map(({ file, ...summary }) => (void file, [summary.name, summary])));
    return new Map(
      [...(await this.list()).values()].map(({ exercise, source }) => [
        exercise.name,
        { name: exercise.name, description: exercise.description, service: exercise.service === true, source },
      ]),
    );
  }

  /** The build's catalogue, if it may be used and covers every exercise there is (no packages, no extra folder). */
  private catalogue(): CatalogueEntry[] | undefined {
    const { root, useCatalogue, packages = [], folders = [] } = this.options;
    if (!useCatalogue || packages.length > 0 || folders.some((folder) => existsSync(folder) && readdirSync(folder).length > 0)) return undefined;
    try {
      const entries = JSON.parse(readFileSync(path.join(root, catalogueFile), 'utf8')) as CatalogueEntry[];
      return entries.map((entry) => ({ ...entry, source: path.join(packageRoot, entry.source) }));
    } catch {
      return undefined;
    }
  }

  /** One exercise by name: its own file first (cheap), else a full scan. */
  async find(name: string): Promise<RegisteredExercise | undefined> {
    const listed = this.catalogue()?.find((entry) => entry.name === name);
    const guess = listed ? path.join(this.options.root, listed.file) : this.files().find((file) => path.basename(file).replace(/\.[a-z]+$/, '') === name);
    if (guess && !this.all) {
      const found = await loadExerciseFile(guess);
      if (found.some((entry) => entry.exercise.name === name)) {
        // A duplicate elsewhere must still be reported, so fall through to the scan if asked twice.
        return found.find((entry) => entry.exercise.name === name);
      }
    }
    return (await this.list()).get(name);
  }

  /** Every exercise, by name. A duplicate name is an error naming both files. */
  list(): Promise<Map<string, RegisteredExercise>> {
    this.all ??= this.loadAll();
    return this.all;
  }

  private async loadAll(): Promise<Map<string, RegisteredExercise>> {
    const entries = [
      ...(await Promise.all(this.files().map(loadExerciseFile))).flat(),
      ...(await Promise.all((this.options.packages ?? []).map((name) => loadExercisePackage(name, this.options.packageBase ?? this.options.root)))).flat(),
    ];
    const byName = new Map<string, RegisteredExercise>();
    for (const entry of entries) {
      const previous = byName.get(entry.exercise.name);
      if (previous) {
        throw new NetlabError('E_PLUGIN', `two exercises are named "${entry.exercise.name}": ${previous.source} and ${entry.source}`, {
          hint: 'rename one of them (the name field of defineExercise)',
        });
      }
      byName.set(entry.exercise.name, entry);
    }
    return new Map([...byName].sort(([a], [b]) => a.localeCompare(b)));
  }
}

async function loadExerciseFile(file: string): Promise<RegisteredExercise[]> {
  const source = sourceOf(file);
  const module = await importOrExplain(file, source);
  return [checkExercise(module.default, source)];
}

/** A package may export one exercise or a list of them as its default export. */
async function loadExercisePackage(name: string, root: string): Promise<RegisteredExercise[]> {
  let resolved: string;
  try {
    resolved = createRequire(path.join(root, 'package.json')).resolve(name);
  } catch {
    resolved = path.resolve(root, name);
    if (!existsSync(resolved)) {
      throw new NetlabError('E_PLUGIN', `plugin package "${name}" (from config.plugins) is not installed`, {
        hint: `npm install ${name}, or remove it from plugins in netlab.config.ts`,
      });
    }
  }
  const module = await importOrExplain(resolved, name);
  const exports = Array.isArray(module.default) ? module.default : [module.default];
  return exports.map((value: unknown) => checkExercise(value, name));
}

async function importOrExplain(file: string, source: string): Promise<{ default?: any }> {
  try {
    return await importFile(file);
  } catch (error) {
    throw new NetlabError('E_PLUGIN', `cannot load exercise ${source}: ${(error as Error).message}`, {
      hint: 'fix the file, or move it out of scripts/ or plugins/',
      cause: error,
    });
  }
}

/** Plugin metadata is checked when it is registered, so a broken plugin names itself. */
function checkExercise(value: unknown, source: string): RegisteredExercise {
  if (!isExercise(value)) {
    throw new NetlabError('E_PLUGIN', `${source} has no default export made with defineExercise`, {
      hint: "end it with: export default defineExercise({ name, description, args, run })",
    });
  }
  if (!validName.test(value.name)) {
    throw new NetlabError('E_PLUGIN', `${source}: exercise name ${JSON.stringify(value.name)} is not a command name`, {
      hint: 'use lower-case words joined by dashes, e.g. "quote-server"',
    });
  }
  if (!value.description?.trim()) {
    throw new NetlabError('E_PLUGIN', `${source}: exercise "${value.name}" has no description`, {
      hint: 'add a one-line description: netlab list shows it',
    });
  }
  if (!value.run && !value.subCommands) {
    throw new NetlabError('E_PLUGIN', `${source}: exercise "${value.name}" has neither run nor subCommands`);
  }
  return { exercise: Object.assign(value, { file: source }), source };
}
