import { Logger, type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { EMPTY, defer, type Observable } from 'rxjs';
import { catchError, filter } from 'rxjs/operators';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import type { Server, ServerOptions, Socket } from 'socket.io';
import type { RealtimeOptions } from '../config/env.js';
import { withWholeFrames } from './whole-frames.js';

/**
 * socket.io with connection state recovery: a client that drops for up to SOCKET_RECOVERY_SECONDS (two
 * minutes by default) gets the events it missed replayed on reconnect (clients still resync on a `seq` gap,
 * e.g. after a longer outage).
 * With REDIS_URL, the Redis streams adapter carries every room broadcast to the other instances (it keeps
 * connection state recovery working across them); without it, one instance works on its own. Either way a
 * broadcast's frame is written to each socket as one buffer (whole-frames.ts).
 */
const HEARTBEAT_MS = 2_000;
const HEARTBEAT_TIMEOUT_MS = 1_000;

/** Whether the Redis adapter can publish now; while it cannot, events go to this instance's watchers only. */
export const fanOutState = { redisConfigured: false, redisReady: false, onReconnect: new Set<() => void>() };

export class AuctionsIoAdapter extends IoAdapter {
  private readonly log = new Logger('AuctionsIoAdapter');
  private redis?: Redis;
  private heartbeat?: NodeJS.Timeout;

  /**
   * `realtime`: the Engine.IO heartbeat (a socket that does not answer a ping within `pingTimeoutMs` is
   * dropped and leaves its rooms) and how long a dropped socket may come back with its missed events replayed
   * (SOCKET_* settings, config/env.ts).
   */
  constructor(
    app: INestApplicationContext,
    private readonly realtime: RealtimeOptions,
    private readonly redisUrl?: string,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...(options as ServerOptions),
      connectionStateRecovery: { maxDisconnectionDuration: this.realtime.recoveryMs, skipMiddlewares: true },
      pingInterval: this.realtime.pingIntervalMs,
      pingTimeout: this.realtime.pingTimeoutMs,
      maxHttpBufferSize: 16 * 1024,
    }) as Server;
    if (this.redisUrl) {
      // Redis being down must not stop bidding on this instance: the adapter keeps retrying, and
      // cross-instance fan-out resumes when Redis is back.
      // The adapter's stream reader waits in the offline queue while Redis is down (a failing command
      // would make it spin); publishing is avoided meanwhile because the relay delivers locally.
      const redis = new Redis(this.redisUrl, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(2000, 100 * n) });
      this.redis = redis;
      fanOutState.redisConfigured = true;
      let connectedBefore = false;
      const setReady = (ready: boolean): void => {
        if (ready === fanOutState.redisReady) return;
        fanOutState.redisReady = ready;
        if (!ready) return;
        // Back after an outage: what peers published meanwhile never arrived (the relay catches up).
        if (connectedBefore) for (const listener of fanOutState.onReconnect) listener();
        connectedBefore = true;
      };
      redis.on('ready', () => setReady(true));
      redis.on('close', () => setReady(false));
      redis.on('end', () => setReady(false));
      // A Redis that hangs (paused, or cut off without the connection closing) stays "ready" to ioredis: a
      // PING every HEARTBEAT_MS that gets no answer within HEARTBEAT_TIMEOUT_MS counts as down, so events go
      // to this instance's watchers only and nothing is published into a queue that may never drain.
      this.heartbeat = setInterval(() => {
        if (redis.status !== 'ready') return;
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), HEARTBEAT_TIMEOUT_MS)));
        void Promise.race([redis.ping().then(() => true, () => false), late]).then((answered) => {
          clearTimeout(timer);
          if (!answered && fanOutState.redisReady) this.log.warn(`redis: no answer to PING within ${HEARTBEAT_TIMEOUT_MS} ms; events go to this instance's sockets only until it answers`);
          setReady(answered && redis.status === 'ready');
        });
      }, HEARTBEAT_MS);
      this.heartbeat.unref();
      this.redis.on('error', (error: Error) => this.log.warn(`redis: ${error.message}`));
      server.adapter(createAdapter(redis, { streamName: 'fapai:socket.io', maxLen: 100_000 }));
    }
    // socket.io's own (the session-aware adapter, for connection state recovery) or the Redis one.
    server.adapter(withWholeFrames(server.adapter()!));
    return server;
  }

  /**
   * Nest's own version builds an rxjs pipeline per socket and per handler (fromEvent, mergeMap, takeUntil of
   * a shared disconnect stream) that lives as long as the socket: about a hundred closures and a dozen
   * subscribers per idle watcher, a large part of the memory 5,000 watchers cost (heap snapshot of the
   * idle benchmark). Here each handler is a plain listener, and the pipeline exists only while a message is
   * handled; what a handler returns, and errors, are treated as Nest does (ack with the response, an
   * `{event, data}` response emitted, a failure logged).
   */
  override bindMessageHandlers(socket: Socket, handlers: MessageMappingProperties[], transform: (data: unknown) => Observable<unknown>): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message as string, (...args: unknown[]) => {
        // fromEvent's convention, which mapPayload expects: one argument as is, several as an array.
        const { data, ack } = this.mapPayload(args.length === 1 ? args[0] : args);
        defer(() => transform(callback(data, ack)))
          .pipe(
            filter((response) => response !== null && response !== undefined),
            catchError((error: unknown) => {
              this.log.error(error);
              return EMPTY;
            }),
          )
          .subscribe((response) => {
            const r = response as { event?: string; data?: unknown };
            if (r.event) {
              socket.emit(r.event, r.data);
              return;
            }
            if (!isAckHandledManually && typeof ack === 'function') (ack as (value: unknown) => void)(response);
          });
      });
    }
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.redis?.disconnect();
  }
}
