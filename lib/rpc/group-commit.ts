// Group commit for SQLite writes: the writes that arrive in one turn of the event loop share one
// transaction, so one fsync acknowledges many clients; each write still succeeds or fails alone.

import type Database from 'better-sqlite3';

interface PendingWrite {
  write: () => unknown;
  resolve: (value: any) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  private pending: PendingWrite[] = [];
  private readonly inTransaction: (batch: PendingWrite[]) => PromiseSettledResult<unknown>[];

  private readonly toFault: (error: unknown) => unknown;

  /** `toFault` turns a failed commit (disk full, I/O error) into what every waiting caller gets. */
  constructor(db: Database.Database, toFault: (error: unknown) => unknown) {
    this.toFault = toFault;
    // better-sqlite3 runs a transaction nested in another as a SAVEPOINT: one write that fails
    // (a duplicate) is rolled back alone, and the others still commit.
    const alone = db.transaction((write: () => unknown) => write());
    this.inTransaction = db.transaction((batch: PendingWrite[]) =>
      batch.map(({ write }): PromiseSettledResult<unknown> => {
        try {
          return { status: 'fulfilled', value: alone(write) };
        } catch (reason) {
          return { status: 'rejected', reason };
        }
      }),
    );
  }

  /** Resolves once the write is committed (with synchronous=FULL: on disk), never before. */
  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ write, resolve, reject });
      // setImmediate runs after this turn's I/O callbacks: every request already read joins the batch.
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  /** Commits the queued writes now (the next turn would; closing the database cannot wait). */
  flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    let outcomes: PromiseSettledResult<unknown>[];
    try {
      outcomes = this.inTransaction(batch);
    } catch (error) {
      // The commit itself failed: nothing of this batch is durable, so nobody hears "done".
      for (const item of batch) item.reject(this.toFault(error));
      return;
    }
    outcomes.forEach((outcome, i) => (outcome.status === 'fulfilled' ? batch[i].resolve(outcome.value) : batch[i].reject(outcome.reason)));
  }
}
