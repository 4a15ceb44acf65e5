// Lines about events that may come faster than a terminal shows them (a datagram flood). The
// receive loop must not wait for the terminal: process.stdout is synchronous on Linux for
// terminals and pipes, so one write per datagram held the loop up, and the kernel dropped what
// arrived meanwhile (issue 13). Here the lines of one turn of the event loop go out in one write,
// at most `maxPerSecond` of them a second (more than anyone reads); beyond that, items are only
// counted, and one line a second says how many were not shown. Every item is still received.

export interface PacedLinesOptions<T> {
  /** The line (with its newline) for one item: called only for the items that are shown. */
  format: (item: T) => string;
  /** The line that says `count` items were not shown. */
  skipped: (count: number) => string;
  write: (text: string) => void;
  /** Lines shown per second at most (1,000 by default). */
  maxPerSecond?: number;
  /** The clock, in milliseconds (tests set their own). */
  now?: () => number;
}

export class PacedLines<T> {
  private readonly options: Required<PacedLinesOptions<T>>;
  private pending: T[] = [];
  private skippedCount = 0;
  private shownThisSecond = 0;
  private secondStarted = -Infinity;
  private flushScheduled = false;
  private noteTimer: NodeJS.Timeout | undefined;

  constructor(options: PacedLinesOptions<T>) {
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
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.writeOut(false));
      }
    } else {
      this.skippedCount++;
      // The count goes out when this second is over, flood or not.
      this.noteTimer ??= setTimeout(() => this.flush(), 1_000 - (now - this.secondStarted)).unref();
    }
  }

  /** Writes the waiting lines and the count of those not shown, in one write (also on close). */
  flush(): void {
    this.writeOut(true);
  }

  private writeOut(withCount: boolean): void {
    this.flushScheduled = false;
    const count = withCount ? this.skippedCount : 0;
    if (withCount) {
      clearTimeout(this.noteTimer);
      this.noteTimer = undefined;
      this.skippedCount = 0;
    }
    if (this.pending.length === 0 && count === 0) return;
    let text = '';
    for (const item of this.pending) text += this.options.format(item);
    if (count > 0) text += this.options.skipped(count);
    this.pending = [];
    this.options.write(text);
  }
}
