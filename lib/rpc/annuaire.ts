// The lab's phone directory ("annuaire"): entries in SQLite (WAL, synchronous=FULL), the
// XML-RPC methods with their French names and English aliases, and the server that offers them.

import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { NetlabError } from '../errors.ts';
import type { ServerHandle } from '../services/handle.ts';
import { FaultCode, RpcFault } from './faults.ts';
import { GroupCommit } from './group-commit.ts';
import type { MethodTable, RpcMethod } from './methods.ts';
import { listenRpc, type RpcListenOptions } from './server.ts';

export type Entry = {
  nom: string;
  numero: string;
};

export const nameMaxLength = 100;
export const numberMaxLength = 40;
export const listMaxLimit = 1000;

/**
 * The directory's storage. A name may have several numbers (home, mobile); the same name with the
 * same digits (separators and case of the name ignored) is a duplicate. A write resolves only once
 * its transaction is committed and fsynced, so a reply means "on disk"; concurrent writes share
 * one commit (GroupCommit).
 */
export class AnnuaireStore {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly writes: GroupCommit;

  readonly file: string;

  constructor(file: string) {
    this.file = file;
    this.db = openDatabase(file);
    this.statements = {
      insert: this.db.prepare('INSERT INTO entries (name, name_key, number, digits) VALUES (?, ?, ?, ?)'),
      find: this.db.prepare('SELECT number FROM entries WHERE name_key = ? ORDER BY id').pluck(),
      count: this.db.prepare('SELECT count(*) FROM entries').pluck(),
      deleteName: this.db.prepare('DELETE FROM entries WHERE name_key = ?'),
      deleteNumber: this.db.prepare('DELETE FROM entries WHERE name_key = ? AND digits = ?'),
      deleteAll: this.db.prepare('DELETE FROM entries'),
      list: this.db.prepare('SELECT name AS nom, number AS numero FROM entries ORDER BY name_key, id LIMIT ? OFFSET ?'),
    };
    this.writes = new GroupCommit(this.db, storageFault);
  }

  add(name: string, number: string): Promise<void> {
    const nom = checkName(name);
    const numero = checkNumber(number);
    return this.writes.run(() => {
      try {
        this.statements.insert.run(nom, nameKey(nom), numero, digitsOf(numero));
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
          throw new RpcFault(FaultCode.duplicateEntry, `${nom} already has the number ${numero}`);
        }
        throw storageFault(error);
      }
    });
  }

  find(name: string): string[] {
    const nom = checkName(name);
    const numbers = storage(() => this.statements.find.all(nameKey(nom)) as string[]);
    if (numbers.length === 0) throw noSuchEntry(nom);
    return numbers;
  }

  count(): number {
    return storage(() => this.statements.count.get() as number);
  }

  /** Deletes a name's numbers (or only the given one); returns how many went. */
  async delete(name: string, number?: string): Promise<number> {
    const nom = checkName(name);
    const key = nameKey(nom);
    const digits = number === undefined ? undefined : digitsOf(checkNumber(number));
    const removed = await this.writes.run(() =>
      digits === undefined ? this.statements.deleteName.run(key).changes : this.statements.deleteNumber.run(key, digits).changes,
    );
    if (removed === 0) throw noSuchEntry(number === undefined ? nom : `${nom} with ${number}`);
    return removed;
  }

  clear(): Promise<number> {
    return this.writes.run(() => this.statements.deleteAll.run().changes);
  }

  list(offset = 0, limit = 100): Entry[] {
    if (!Number.isInteger(offset) || offset < 0) throw new RpcFault(FaultCode.invalidParams, `offset must be an int ≥ 0, got ${offset}`);
    if (!Number.isInteger(limit) || limit < 1 || limit > listMaxLimit) {
      throw new RpcFault(FaultCode.invalidParams, `limit must be an int from 1 to ${listMaxLimit}, got ${limit}`);
    }
    return storage(() => this.statements.list.all(limit, offset) as Entry[]);
  }

  /** Commits what is still queued, then closes the file. */
  close(): void {
    if (!this.db.open) return;
    this.writes.flush();
    this.db.close();
  }
}

function openDatabase(file: string): Database.Database {
  try {
    ensureFolder(path.dirname(file));
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    // FULL: each commit fsyncs the WAL before returning, so an acknowledged add survives a kill
    // and a power cut too (NORMAL would survive a kill only). The reply is sent after that.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000'); // another process (a second server) writing: wait, not fail
    db.exec(`CREATE TABLE IF NOT EXISTS entries (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      name_key TEXT NOT NULL,
      number TEXT NOT NULL,
      digits TEXT NOT NULL,
      added TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
      UNIQUE (name_key, digits)
    )`);
    return db;
  } catch (error) {
    throw new NetlabError('E_INPUT', `cannot open the directory database ${file}: ${(error as Error).message}`, {
      hint: 'give a writable SQLite file with --db (it is created if missing)',
      cause: error,
    });
  }
}

/**
 * mkdir -p, one level at a time: Node 20's recursive mkdirSync spins forever under /proc
 * (mkdir answers ENOENT there for a parent that exists); a plain mkdirSync just fails.
 */
function ensureFolder(dir: string): void {
  if (existsSync(dir) || path.dirname(dir) === dir) return;
  ensureFolder(path.dirname(dir));
  mkdirSync(dir);
}

/** Runs a read; a disk or lock failure becomes fault 14, not a crash. */
function storage<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    throw storageFault(error);
  }
}

function storageFault(error: unknown): unknown {
  if (error instanceof Database.SqliteError) return new RpcFault(FaultCode.storageError, `storage failure (${error.code}): ${error.message}`);
  return error;
}

function noSuchEntry(what: string): RpcFault {
  return new RpcFault(FaultCode.noSuchEntry, `no such entry: ${what}`);
}

/** Names: trimmed, inner spaces collapsed, NFC; 1–100 characters, no control characters. */
export function checkName(name: string): string {
  const nom = name.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (nom === '') throw new RpcFault(FaultCode.invalidName, 'the name is empty');
  if (nom.length > nameMaxLength) throw new RpcFault(FaultCode.invalidName, `the name is longer than ${nameMaxLength} characters`);
  if (/\p{Cc}/u.test(nom)) throw new RpcFault(FaultCode.invalidName, 'the name holds control characters');
  return nom;
}

// Digits with an optional leading +, separated by spaces, dots, dashes, slashes or parentheses.
const numberPattern = /^\+?[(]?[0-9](?:[0-9 .\-/()]*[0-9])?$/;

/** Numbers: "+33 6 12 34 56 78", "06.12.34.56.78", "(555) 010-9999": 2 to 20 digits. */
export function checkNumber(number: string): string {
  const numero = number.trim().replace(/\s+/g, ' ');
  const digits = numero.replace(/\D/g, '').length;
  if (numero.length > numberMaxLength || !numberPattern.test(numero) || digits < 2 || digits > 20) {
    throw new RpcFault(
      FaultCode.invalidNumber,
      `${JSON.stringify(numero.slice(0, numberMaxLength))} is not a phone number (2 to 20 digits, an optional leading +, separators . - / ( ) or spaces)`,
    );
  }
  return numero;
}

function nameKey(nom: string): string {
  return nom.toLowerCase();
}

function digitsOf(numero: string): string {
  return (numero.startsWith('+') ? '+' : '') + numero.replace(/\D/g, '');
}

/** The XML-RPC methods over a store: the lab's names, and the English aliases as the same methods. */
export function annuaireMethods(store: AnnuaireStore): MethodTable {
  const name = { name: 'nom', type: 'string' } as const;
  const methods: Record<string, RpcMethod> = {
    ajouterEntree: {
      params: [name, { name: 'numero', type: 'string' }],
      returns: 'boolean',
      help: `ajouterEntree(nom, numero) → true. Adds a number under a name (a name may have several numbers). Faults: 10 bad name, 11 bad number, 13 the name already has that number.`,
      handler: async ([nom, numero]: [string, string]) => (await store.add(nom, numero), true),
    },
    trouverNumero: {
      params: [name],
      returns: 'array',
      help: 'trouverNumero(nom) → [numero…], the numbers of a name (case-insensitive), oldest first. Fault 12 when there is none.',
      handler: ([nom]: [string]) => store.find(nom),
    },
    nbNumeros: {
      params: [],
      returns: 'int',
      help: 'nbNumeros() → how many numbers the directory holds.',
      handler: () => store.count(),
    },
    supprimerEntree: {
      params: [name, { name: 'numero', type: 'string', optional: true }],
      returns: 'int',
      help: 'supprimerEntree(nom[, numero]) → how many numbers were deleted: all of the name, or only that number. Fault 12 when nothing matched.',
      handler: ([nom, numero]: [string, string?]) => store.delete(nom, numero),
    },
    supprimerTout: {
      params: [],
      returns: 'int',
      help: 'supprimerTout() → how many numbers were deleted: empties the directory.',
      handler: () => store.clear(),
    },
    lister: {
      params: [
        { name: 'offset', type: 'int', optional: true },
        { name: 'limit', type: 'int', optional: true },
      ],
      returns: 'array',
      help: `lister([offset[, limit]]) → [{nom, numero}…] sorted by name, a page of at most limit (default 100, up to ${listMaxLimit}) entries from offset.`,
      handler: ([offset, limit]: [number?, number?]) => store.list(offset, limit),
    },
  };
  for (const [english, french] of Object.entries(englishAliases)) methods[english] = methods[french];
  return methods;
}

export const englishAliases = {
  add: 'ajouterEntree',
  find: 'trouverNumero',
  count: 'nbNumeros',
  delete: 'supprimerEntree',
  clear: 'supprimerTout',
  list: 'lister',
} as const;

/** Opens the database and serves it; closing the handle stops the server, then closes the file. */
export async function listenAnnuaire(options: Omit<RpcListenOptions, 'methods'> & { dbFile: string }): Promise<ServerHandle> {
  const store = new AnnuaireStore(options.dbFile);
  let server: ServerHandle;
  try {
    server = await listenRpc({ ...options, methods: annuaireMethods(store) });
  } catch (error) {
    store.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    address: server.address,
    close: () => (closing ??= server.close().finally(() => store.close())),
  };
}
