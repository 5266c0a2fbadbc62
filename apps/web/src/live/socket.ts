/**
 * The one socket.io connection to namespace `/auctions`, shared by every live component. It carries the
 * bearer token when there is a session (the server then also sends this bidder's `bid.outbid`), and it
 * reconnects with the new token when the user logs in or out. A renewed token of the same user is handed
 * over without reconnecting (`auth.renew`): a reconnect in the last minutes would cost a resync. Its state
 * is exposed for the connection indicator through `useConnection`.
 */
import { useSyncExternalStore } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@fapai/contracts';
import { freshToken, getSession, onSessionChange, renewSession, setSession } from '../api/session';
import { serverClock } from './clock';

export type AuctionSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ConnectionState = 'connecting' | 'online' | 'offline';

let socket: AuctionSocket | null = null;
let state: ConnectionState = 'connecting';
/** Bumped on every (re)connect, so watchers know to re-watch and resync. */
let generation = 0;
const listeners = new Set<() => void>();
let syncTimer: ReturnType<typeof setInterval> | null = null;

function setState(next: ConnectionState): void {
  state = next;
  for (const l of listeners) l();
}

/** Refreshes the clock offset: every minute, since device clocks drift and networks change. */
function syncTime(s: AuctionSocket): void {
  const done = serverClock.probe();
  s.timeout(5000).emit('time.sync', {}, (err: Error | null, res?: { serverTime: string }) => {
    if (!err && res) done(res.serverTime);
  });
}

export function getSocket(): AuctionSocket {
  if (socket) return socket;
  const s: AuctionSocket = io('/auctions', {
    // A function, so each reconnection sends the current token (renewed first if it is about to expire).
    auth: (cb) => {
      freshToken().then(
        (token) => cb(token ? { token } : {}),
        () => cb({}),
      );
    },
    transports: ['websocket', 'polling'],
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });
  s.on('connect', () => {
    generation += 1;
    serverClock.reset();
    syncTime(s);
    setState('online');
  });
  s.on('disconnect', (reason) => {
    setState('offline');
    // The server drops a socket whose handshake token it refuses (expired, revoked): renew it if the session
    // allows, otherwise the session has ended and the page goes on as an anonymous watcher.
    if (reason === 'io server disconnect') {
      const refused = getSession()?.token;
      void renewSession()
        .then((next) => {
          if (next && next.token === refused) setSession(null);
        })
        .finally(() => s.connect());
    }
  });
  s.on('connect_error', () => setState('offline'));
  s.io.on('reconnect_attempt', () => setState('connecting'));
  syncTimer ??= setInterval(() => {
    if (s.connected) syncTime(s);
  }, 60_000);
  let identity = getSession()?.userId ?? null;
  let handedOver = getSession()?.token ?? null;
  onSessionChange(() => {
    const session = getSession();
    const next = session?.userId ?? null;
    if (next === identity) {
      // Same user, renewed token: hand it over (a socket not connected sends it at its next handshake).
      if (session && session.token !== handedOver && s.connected) s.timeout(5000).emit('auth.renew', { token: session.token }, () => undefined);
      handedOver = session?.token ?? null;
      return;
    }
    identity = next;
    handedOver = session?.token ?? null;
    // Re-handshake with the new identity; watchers re-watch on the next 'connect'.
    s.disconnect();
    s.connect();
  });
  socket = s;
  return s;
}

export function connectionGeneration(): number {
  return generation;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The connection state, for the indicator. */
export function useConnection(): ConnectionState {
  return useSyncExternalStore(subscribe, () => state, () => 'connecting');
}
