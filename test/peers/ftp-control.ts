// A bare FTP control connection for tests that must send exactly what an attacker would: one
// command at a time, replies parsed per RFC 959 §4.2, data connections opened by hand.

import net from 'node:net';

export interface Reply {
  code: number;
  /** Every line of the reply, joined with \n. */
  text: string;
}

export class ControlConnection {
  private buffer = '';
  private replies: Reply[] = [];
  private waiting: ((reply: Reply | undefined) => void)[] = [];
  private ended = false;
  readonly closed: Promise<void>;
  greeting!: Reply;

  readonly socket: net.Socket;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => this.receive(text));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.ended = true;
        for (const waiter of this.waiting.splice(0)) waiter(undefined);
        resolve();
      }),
    );
  }

  static async open(port: number, host = '127.0.0.1'): Promise<ControlConnection> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host, port }, () => resolve(s));
      s.once('error', reject);
    });
    const connection = new ControlConnection(socket);
    connection.greeting = await connection.read();
    return connection;
  }

  /** The next reply (throws if the server closed the connection first). */
  async read(timeoutMs = 5_000): Promise<Reply> {
    const next = this.replies.shift();
    if (next) return next;
    if (this.ended) throw new Error('connection closed by the server');
    const reply = await new Promise<Reply | undefined>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.push((value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });
    if (!reply) throw new Error('connection closed by the server');
    return reply;
  }

  async send(line: string): Promise<Reply> {
    this.socket.write(`${line}\r\n`);
    return this.read();
  }

  async login(user = 'anonymous', password = 'student@example.org'): Promise<Reply> {
    const first = await this.send(`USER ${user}`);
    return first.code === 331 ? this.send(`PASS ${password}`) : first;
  }

  /** EPSV, and the data connection made (paused: nothing is read until the caller says); the EPSV reply when refused. */
  async openData(): Promise<net.Socket | Reply> {
    const epsv = await this.send('EPSV');
    if (epsv.code !== 229) return epsv;
    const port = Number(/\|\|\|(\d+)\|/.exec(epsv.text)![1]);
    const data = net.connect({ host: this.socket.remoteAddress, port });
    data.on('error', () => {});
    data.pause();
    await new Promise((resolve) => data.once('connect', resolve));
    return data;
  }

  /** EPSV, then the command; resolves with the preliminary reply, the data, and the final reply. */
  async transfer(command: string, upload?: Buffer): Promise<{ first: Reply; final?: Reply; data: Buffer }> {
    const data = await this.openData();
    if (!(data instanceof net.Socket)) return { first: data, data: Buffer.alloc(0) };
    const chunks: Buffer[] = [];
    const dataClosed = new Promise<void>((resolve) => data.once('close', () => resolve()));
    data.on('data', (chunk: Buffer) => chunks.push(chunk));
    data.resume();
    const first = await this.send(command);
    if (first.code !== 150 && first.code !== 125) {
      data.destroy();
      return { first, data: Buffer.alloc(0) };
    }
    if (upload) data.end(upload);
    await dataClosed;
    const final = await this.read();
    return { first, final, data: Buffer.concat(chunks) };
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(text: string): void {
    this.buffer += text;
    // RFC 959 §4.2: "ddd-" opens a multi-line reply, which ends at a line starting "ddd ".
    for (;;) {
      const match = /^(\d{3})([ -])/.exec(this.buffer);
      if (!match) {
        const end = this.buffer.indexOf('\r\n');
        if (end < 0) return;
        this.buffer = this.buffer.slice(end + 2); // not a reply line: skip it
        continue;
      }
      const terminator = match[2] === ' ' ? /^.*\r\n/ : new RegExp(`^[^]*?(?:^|\\r\\n)${match[1]} [^\\r\\n]*\\r\\n`);
      const found = terminator.exec(this.buffer);
      if (!found) return;
      this.buffer = this.buffer.slice(found[0].length);
      const reply = { code: Number(match[1]), text: found[0].trimEnd().replace(/\r\n/g, '\n') };
      const waiter = this.waiting.shift();
      if (waiter) waiter(reply);
      else this.replies.push(reply);
    }
  }
}
