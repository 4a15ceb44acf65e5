// The one place that reads a node:dgram socket in batches: native/udp_batch.c calls recvmmsg(2)
// for up to 64 datagrams at a time and calls into JavaScript once per batch. node:dgram makes a
// system call, a Buffer, an address object and a call into JavaScript for every datagram.
// npm install builds the addon (bin/native.js); where it could not be built, or the socket is
// IPv6, nothing changes and node:dgram reads as before.

import type dgram from 'node:dgram';
import { createRequire } from 'node:module';
import path from 'node:path';
import { packageRoot } from '../paths.ts';

interface UdpBatchAddon {
  start(fd: number, slots: ArrayBuffer, slotSize: number, meta: Uint32Array, onBatch: (count: number) => void): object;
  stop(reader: object): void;
  /** bench/udp's load generator: `count` copies of `payload` on a connected socket, sendmmsg by 64. */
  flood(fd: number, payload: Buffer, count: number): number;
}

interface DgramHandle {
  fd: number;
  recvStop(): number;
  recvStart(): number;
}

/** node:dgram's handle of a bound socket (its state is found by the symbol's name), or undefined where it is not there. */
export function dgramHandle(socket: dgram.Socket): DgramHandle | undefined {
  const state = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'state symbol');
  const handle = state && (socket as unknown as Record<symbol, { handle?: Partial<DgramHandle> }>)[state]?.handle;
  if (typeof handle?.fd !== 'number' || handle.fd < 0 || typeof handle.recvStop !== 'function' || typeof handle.recvStart !== 'function') return undefined;
  return handle as DgramHandle;
}

/** What onDatagram gets for each datagram: its own copy of the bytes, and the sender. */
export type BatchDatagramCallback = (data: Buffer, sender: { address: string; port: number }) => void;

/** Where npm install puts the addon (node-gyp's output folder). */
export const addonPath = path.join(packageRoot, 'native', 'build', 'Release', 'udp_batch.node');

// 64 slots of 64 KiB (any IPv4 datagram fits): 4 MiB per server. Bigger batches gained nothing
// measurable against one fast sender (bench/udp).
const batchSize = 64;
const slotSize = 65_536;

let addon: UdpBatchAddon | null | undefined;
/** The addon, loaded on first use (a millisecond, only for a UDP server); null if it was not built. */
export function loadAddon(): UdpBatchAddon | null {
  if (addon === undefined) {
    try {
      addon = createRequire(import.meta.url)(addonPath) as UdpBatchAddon;
    } catch {
      addon = null;
    }
  }
  return addon;
}

/**
 * Stops node:dgram's own reading of the bound `socket` and reads it in batches instead, calling
 * `onDatagram` for each datagram, in order. Returns the function that stops it (call it before
 * closing the socket), or undefined, changing nothing, when the addon is missing, the socket is
 * IPv6, or node:dgram's handle is not where it was (its state is found by the symbol's name).
 * `onError` gets the errno of a failed read; reading then goes back to node:dgram.
 */
export function readInBatches(socket: dgram.Socket, onDatagram: BatchDatagramCallback, onError: (errno: number) => void): (() => void) | undefined {
  const native = loadAddon();
  const handle = dgramHandle(socket);
  if (!native || !handle || socket.address().family !== 'IPv4') return undefined;
  const slots = Buffer.alloc(batchSize * slotSize);
  const meta = new Uint32Array(3 * batchSize);
  // One sender usually sends the whole flood: its address is formatted once.
  let lastAddress = -1;
  let lastText = '';
  let stopped = false;
  const onBatch = (count: number) => {
    if (count < 0) {
      stop();
      handle.recvStart();
      onError(-count);
      return;
    }
    // Not one more after stop(): onDatagram may close the server halfway through a batch.
    for (let i = 0; i < count && !stopped; i++) {
      const length = meta[3 * i];
      const address = meta[3 * i + 1];
      if (address !== lastAddress) {
        lastAddress = address;
        lastText = `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`;
      }
      const data = Buffer.allocUnsafe(length);
      slots.copy(data, 0, i * slotSize, i * slotSize + length);
      try {
        onDatagram(data, { address: lastText, port: meta[3 * i + 2] });
      } catch (error) {
        // As from a node:dgram listener: uncaught, but the rest of the batch is still handled.
        process.nextTick(() => {
          throw error;
        });
      }
    }
  };
  handle.recvStop();
  let reader: object;
  try {
    reader = native.start(handle.fd, slots.buffer, slotSize, meta, onBatch);
  } catch {
    handle.recvStart();
    return undefined;
  }
  const stop = () => {
    if (!stopped) native.stop(reader);
    stopped = true;
  };
  // A socket closed without stop() first: the dup would keep its port bound, and the process alive.
  socket.once('close', stop);
  return stop;
}
