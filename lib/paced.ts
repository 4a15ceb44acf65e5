// Reports of events that may come faster than they can be shown or logged (a datagram flood).
// The receive loop must not wait for them: process.stdout is synchronous on Linux for terminals
// and pipes, and so is the request log, so one write per datagram held the loop up while the
// kernel dropped what arrived meanwhile (issue 13). Here the items of one turn of the event loop
// are handed over together, at most `maxPerSecond` of them a second (more than anyone reads);
// beyond that they are only counted, and the count is reported once that second is over.
// Every item is still received: only its report is left out.

export interface PacedOptions<T> {
  /** Shows (prints, logs) the items of one turn of the event loop, in order. */
  show: (items: T[]) => void;
  /** Reports that `count` items were not shown. */
  skipped: (count: number) => void;
  /** Items shown per second at most (1,000 by default). */
  maxPerSecond?: number;
  /** The clock, in milliseconds (tests set their own). */
  now?: () => number;
}

export class Paced<T> {
  private readonly options: Required<PacedOptions<T>>;
  private pending: T[] = [];
  private skippedCount = 0;
  private shownThisSecond = 0;
  private secondStarted = -Infinity;
  private showScheduled = false;
  private countTimer: NodeJS.Timeout | undefined;

  constructor(options: PacedOptions<T>) {
    this.options = { maxPerSecond: 1_000, now: Date.now, ...options };
  }

  push(item: T): void {
    const now = this.options.now();
    if (now - this.secondStarted >= 1_000) {
      this.secondStarted = now;
      this.shownThisSecond = 0;
    }
    if (this.shownThisSecond < this.options.maxPerSecond) {
      this.shownThisSecond++;
      this.pending.push(item);
      if (!this.showScheduled) {
        this.showScheduled = true;
        setImmediate(() => this.showPending());
      }
    } else {
      this.skippedCount++;
      this.countTimer ??= setTimeout(() => this.flush(), 1_000 - (now - this.secondStarted)).unref();
    }
  }

  /** Shows what waits and reports what was left out, now (on close, so that nothing waits). */
  flush(): void {
    this.showPending();
    clearTimeout(this.countTimer);
    this.countTimer = undefined;
    if (this.skippedCount > 0) this.options.skipped(this.skippedCount);
    this.skippedCount = 0;
  }

  private showPending(): void {
    this.showScheduled = false;
    if (this.pending.length === 0) return;
    const items = this.pending;
    this.pending = [];
    this.options.show(items);
  }
}
