// Busy polling: after a server answers, its event loop keeps turning for a few tens of
// microseconds instead of going to sleep in epoll_wait, so a client that calls again at once is
// read without being woken up for. Linux does the same in the kernel for network cards' queues
// (SO_BUSY_POLL; net.core.busy_read, which its documentation, admin-guide/sysctl/net.rst, sets at
// 50 µs for a few sockets), but loopback has no queue to poll, so a server must do it itself.
//
// How: while an immediate is queued, libuv's poll phase does not block (its timeout is zero), so
// each turn of the loop checks the sockets and comes back; the last turn of the window lets the
// loop sleep again. It costs the window's CPU after each answer, nothing on an idle server.

export class BusyPoll {
  readonly #micros: number;
  readonly #now: () => number;
  #until = 0;
  #spinning = false;

  /** `micros` of 0 turns it off; `now` (milliseconds) is performance.now unless a test gives its clock. */
  constructor(micros: number, now: () => number = () => performance.now()) {
    this.#micros = micros;
    this.#now = now;
  }

  /** Keeps the loop awake for the next `micros` microseconds. */
  keepAwake(): void {
    if (this.#micros <= 0) return;
    this.#until = this.#now() + this.#micros / 1000;
    if (this.#spinning) return;
    this.#spinning = true;
    setImmediate(this.#turn);
  }

  /** Lets the loop sleep at once (the server is closing): nothing keeps the process alive. */
  stop(): void {
    this.#until = 0;
  }

  /** Whether the loop is being kept awake. */
  get spinning(): boolean {
    return this.#spinning;
  }

  readonly #turn = (): void => {
    // A referenced immediate: an unreferenced one would let libuv block in its poll phase.
    if (this.#now() < this.#until) setImmediate(this.#turn);
    else this.#spinning = false;
  };
}
