/** Types of watchers.mjs for the TypeScript tests (the code and its documentation are there). */

export type WatcherClient = 'socket.io' | 'wire';
export declare const WATCHER_CLIENTS: readonly WatcherClient[];

export interface ConnectReply {
  type: 'connected';
  ok: number;
  failed: number;
  retried: number;
  errors: Record<string, number>;
  ms: number;
}

export interface SocketRecord {
  lotId: string;
  /** [seq, receipt time in ms since the epoch] of every `lot.bid` of the lot, in the order received. */
  events: [number, number][];
  /** How many `lot.closed` of the lot arrived. */
  closed: number;
  /** The first unexpected disconnect, or null. */
  disconnect: { reason: string; at: number } | null;
}

export interface SparseHistogram {
  n: number;
  max: number;
  buckets: [number, number][];
}

export interface Summary {
  type: 'summary';
  sockets: number;
  expected: number;
  received: number;
  missed: number;
  socketsMissing: number;
  outOfOrder: number;
  duplicates: number;
  disconnects: number;
  hist: SparseHistogram;
}

export declare class WatcherGroup {
  constructor(name: string, cleanup: { add(name: string, stop: () => unknown): void });
  readonly name: string;
  readonly pid: number | undefined;
  readonly alive: boolean;
  readonly ready: Promise<unknown>;
  connect(url: string, lots: string[], perLot: number, options?: { concurrency?: number; reconnection?: boolean; client?: WatcherClient }): Promise<ConnectReply>;
  phase(from: number): Promise<unknown>;
  progress(): Promise<{ type: 'progress'; minLast: number; received: number }>;
  report(): Promise<SocketRecord[]>;
  summary(from: number, to: number): Promise<Summary>;
  disconnect(): Promise<unknown>;
  close(): Promise<void>;
}

export declare function checkDelivery(
  sockets: SocketRecord[],
  expected: Record<string, number>,
  excused?: (lotId: string, seq: number) => boolean,
): {
  sockets: number;
  complete: number;
  missing: number;
  missingExcused: number;
  outOfOrder: number;
  duplicates: number;
  closedOnce: number;
  closedWrong: number;
  missingSeqs: Map<string, number>;
  disconnected: number;
};
