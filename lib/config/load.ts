// Loads the configuration: defaults ← netlab.config.ts ← NETLAB_* environment ← command-line flags.
// Every key is checked against the defaults, so a typo is an error that names it.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { NetlabError } from '../errors.ts';
import { importFile } from '../modules.ts';
import { packageRoot } from '../paths.ts';
import { defaultConfig, environmentAliases, openRecords, type NetlabConfig, type NetlabUserConfig } from './define.ts';
import { planStateDirMoves, StateDirs, type StateDirKey } from '../state-dirs.ts';

export interface LoadConfigOptions {
  /** Where to look for netlab.config.ts first (default: the current directory). */
  cwd?: string;
  /** An explicit config file (else NETLAB_CONFIG, else cwd, else the package root). */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values from command-line flags: they win over everything. */
  overrides?: NetlabUserConfig;
  /** Told once, when a command first uses a folder netlab had to move (see state-dirs.ts). */
  onNote?: (note: string) => void;
}

export interface LoadedConfig extends NetlabConfig {
  /** The config file read, if any. */
  configFile?: string;
  /** The folder relative paths start from. */
  root: string;
  /** The default folders this user cannot write, moved to per-user ones (prepareStateDir). */
  stateDirs: StateDirs;
}

export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const file = findConfigFile(options.file ?? env.NETLAB_CONFIG, options.cwd ?? process.cwd());
  const root = file ? path.dirname(file) : packageRoot;

  const sources: [name: string, values: Record<string, unknown>][] = [];
  if (file) sources.push([path.basename(file), await importConfigFile(file)]);
  sources.push(['environment', readEnvironment(env)]);
  if (options.overrides) sources.push(['command line', options.overrides]);
  let merged: Record<string, unknown> = structuredClone(defaultConfig) as unknown as Record<string, unknown>;
  for (const [name, values] of sources) merged = mergeChecked(merged, values, name);

  const config = merged as unknown as NetlabConfig;
  const keys = ['dataDir', 'pidDir', 'logDir'] as const satisfies StateDirKey[];
  for (const key of keys) config[key] = path.resolve(root, config[key]);
  // A folder someone chose stays as chosen; a default one this user cannot write moves.
  const chosen = new Set(keys.filter((key) => sources.some(([, values]) => values[key] !== undefined)));
  const moves = planStateDirMoves(config, chosen, env);
  for (const move of moves) config[move.key] = move.to;
  return { ...config, configFile: file, root, stateDirs: new StateDirs(moves, options.onNote, env.HOME || undefined) };
}

function findConfigFile(explicit: string | undefined, cwd: string): string | undefined {
  if (explicit) {
    const file = path.resolve(cwd, explicit);
    if (!existsSync(file)) {
      throw new NetlabError('E_CONFIG', `config file ${file} does not exist`, {
        hint: 'check NETLAB_CONFIG or --config, or remove it to use the defaults',
      });
    }
    return file;
  }
  for (const dir of [cwd, packageRoot]) {
    const file = path.join(dir, 'netlab.config.ts');
    if (existsSync(file)) return file;
  }
  return undefined;
}

async function importConfigFile(file: string): Promise<Record<string, unknown>> {
  let module: { default?: unknown };
  try {
    module = await importFile(file);
  } catch (error) {
    throw new NetlabError('E_CONFIG', `cannot load ${file}: ${(error as Error).message}`, {
      hint: 'fix the syntax error, or run with NETLAB_CONFIG pointing to another file',
      cause: error,
    });
  }
  if (!isPlainObject(module.default)) {
    throw new NetlabError('E_CONFIG', `${file} has no default export`, {
      hint: 'end it with: export default defineConfig({ … })',
    });
  }
  return module.default;
}

/** NETLAB_HOST, NETLAB_DATA_DIR, NETLAB_PORTS_FINGER, NETLAB_FINGER_BACKEND, and the aliases. */
function readEnvironment(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const byName = new Map<string, string[]>(Object.entries(environmentAliases).map(([name, dotted]) => [name, dotted.split('.')]));
  collectEnvironmentNames(defaultConfig as unknown as Record<string, unknown>, [], byName);
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('NETLAB_') || value === undefined || name === 'NETLAB_CONFIG') continue;
    let keys = byName.get(name);
    // An open record takes any key: NETLAB_PORTS_QOTD sets ports.qotd.
    const open = [...openRecords].find((record) => name.startsWith(`NETLAB_${toSnake(record)}_`));
    if (!keys && open) keys = [open, name.slice(`NETLAB_${toSnake(open)}_`.length).toLowerCase()];
    if (!keys) continue; // other NETLAB_* variables (credentials…) belong to their domains
    setPath(result, keys, value);
  }
  return result;
}

function collectEnvironmentNames(node: Record<string, unknown>, prefix: string[], into: Map<string, string[]>): void {
  for (const [key, value] of Object.entries(node)) {
    const keys = [...prefix, key];
    if (isPlainObject(value) && !openRecords.has(key)) collectEnvironmentNames(value, keys, into);
    else into.set(`NETLAB_${keys.map(toSnake).join('_')}`, keys);
  }
}

function mergeChecked(base: Record<string, unknown>, patch: Record<string, unknown>, source: string, trail: string[] = []): Record<string, unknown> {
  const result = { ...base };
  const open = trail.length > 0 && openRecords.has(trail[trail.length - 1]);
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const where = [...trail, key].join('.');
    if (!open && !(key in base)) {
      const guess = closest(key, Object.keys(base));
      throw new NetlabError('E_CONFIG', `${source}: unknown config key "${where}"`, {
        hint: guess ? `did you mean "${[...trail, guess].join('.')}"?` : `known keys: ${Object.keys(base).join(', ')}`,
      });
    }
    const expected = open ? sampleValue(base) : base[key];
    result[key] = isPlainObject(expected)
      ? mergeChecked(expected, checkObject(value, where, source), source, [...trail, key])
      : coerce(value, expected, where, source);
  }
  return result;
}

function checkObject(value: unknown, where: string, source: string): Record<string, unknown> {
  if (isPlainObject(value)) return value;
  throw new NetlabError('E_CONFIG', `${source}: "${where}" must be an object, not ${JSON.stringify(value)}`);
}

/** Environment values are strings: make them the type the default has, or say why not. */
function coerce(value: unknown, expected: unknown, where: string, source: string): unknown {
  const wrong = (what: string) =>
    new NetlabError('E_CONFIG', `${source}: "${where}" must be ${what}, not ${JSON.stringify(value)}`);
  if (typeof expected === 'number') {
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) throw wrong('a number');
    return number;
  }
  if (typeof expected === 'boolean') {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw wrong('true or false');
  }
  if (Array.isArray(expected)) {
    if (typeof value === 'string') return value.split(',').map((item) => item.trim()).filter(Boolean);
    if (!Array.isArray(value)) throw wrong('a list');
    return value;
  }
  if (typeof expected === 'string' && typeof value !== 'string') throw wrong('a string');
  return value;
}

function sampleValue(record: Record<string, unknown>): unknown {
  return Object.values(record)[0] ?? '';
}

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1]] = value;
}

function toSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The known key within two edits of a typo, for "did you mean". */
function closest(word: string, candidates: string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const key of candidates) {
    const distance = editDistance(word.toLowerCase(), key.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { key, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
