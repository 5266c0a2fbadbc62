/**
 * The socket.io gateway of namespace `/auctions` — thin: authentication on connect, rooms per lot, and
 * the two client requests that reuse the HTTP use cases (`lot.watch` reads the public lot, `bid.place`
 * calls the same place-bid use case as POST /api/lots/:id/bids). Domain events reach it through
 * `AuctionsRelay`, never by a service importing the gateway.
 *
 * A signed-in socket is in its user's room (personal `bid.outbid` notices) only while its token is good: a
 * revocation (logout, password change, refresh token reuse), which every instance hears of through
 * `TokensRevoked`, takes the user's sockets out at once, and so does the token's expiry unless a renewed
 * token came first (`auth.renew`); they keep watching lots anonymously. A socket that reconnects with its
 * state recovered gets its rooms back, but not its user's: it signs in again with the token it brings now.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer, type OnGatewayConnection, type OnGatewayDisconnect } from '@nestjs/websockets';
import { MetricsService } from '../observability/metrics.service.js';
import { plainToInstance } from 'class-transformer';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { validateSync } from 'class-validator';
import type { Namespace, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '@fapai/contracts';
import { TokenVerifier, type AuthUser } from '../common/auth.js';
import { TokensRevoked } from '../accounts/token-versions.js';
import { reportServerError, toErrorBody, type ErrorBody } from '../common/http-exception.filter.js';
import { correlation } from '../observability/logger.js';
import { CommonError } from '../common/app-error.js';
import { assertCleanInput, Id, validationError } from '../common/validation.js';
import { PlaceBidDto } from '../bidding/bidding.dto.js';
import { PlaceBidService } from '../bidding/place-bid.service.js';
import { FreshReadCoalescer } from '../common/fresh-read-coalescer.js';
import { LotsService } from '../lots/lots.service.js';

class WatchMessage {
  @Id() lotId!: string;
}

class RenewMessage {
  @IsString() @Length(20, 4096) token!: string;
}

/** The HTTP bid's fields and rules (one DTO, so both answer bad input alike), plus the lot and the key. */
class BidMessage extends PlaceBidDto {
  @Id() lotId!: string;
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9_.:-]{1,100}$/, { message: 'idempotencyKey must be 1–100 characters of letters, digits and _.:-' }) idempotencyKey?: string;
}

function parse<T extends object>(cls: new () => T, body: unknown): T {
  if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) {
    throw CommonError.badInput('message', 'isObject', 'the message must be an object');
  }
  assertCleanInput(body);
  const value = plainToInstance(cls, body ?? {});
  const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) throw validationError(errors);
  return value;
}

type AuctionSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { user?: AuthUser }>;

/** A watcher on this instance was given the lot's snapshot at `seq` (the relay starts the lot's order there). */
export class LotWatched {
  static readonly topic = 'lot.watched';
  constructor(
    readonly lotId: string,
    readonly seq: number,
  ) {}
}

export const lotRoom = (lotId: string): string => `lot:${lotId}`;
const USER_ROOM_PREFIX = 'user:';
export const userRoom = (userId: string): string => `${USER_ROOM_PREFIX}${userId}`;

@WebSocketGateway({ namespace: '/auctions', cors: { origin: false } })
export class AuctionsGateway implements OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('AuctionsGateway');
  @WebSocketServer() server!: Namespace<ClientToServerEvents, ServerToClientEvents>;
  /** Watchers of one lot arriving together share snapshot reads (each read starts after they joined). */
  private readonly snapshots = new FreshReadCoalescer((lotId: string) => this.lots.getPublic(lotId));
  /** Revocations heard so far: a token check that one overtook is repeated before the socket signs in. */
  private revocations = 0;

  constructor(
    private readonly tokens: TokenVerifier,
    private readonly lots: LotsService,
    private readonly placeBid: PlaceBidService,
    private readonly metrics: MetricsService,
    private readonly events: EventEmitter2,
  ) {}

  /**
   * A refused message's ack, in the HTTP error shape. A 5xx is logged here with the message's correlation id,
   * which the ack names (`details.correlationId`) as the HTTP answer does.
   */
  private refusal(error: unknown, event: string): { ok: false; error: ErrorBody } {
    const body = toErrorBody(error);
    reportServerError(this.logger, error, body, correlation.getStore()?.id ?? randomUUID(), { event });
    return { ok: false, error: body };
  }

  /** Per signed-in socket (by id): the sign-out at its token's expiry. */
  private readonly expiries = new Map<string, NodeJS.Timeout>();

  handleDisconnect(socket: AuctionSocket): void {
    this.metrics.sockets.dec();
    this.clearExpiry(socket);
  }

  /** Anonymous watchers are welcome; a token, if given, must be valid (bidding needs it). */
  async handleConnection(socket: AuctionSocket): Promise<void> {
    this.metrics.sockets.inc();
    // Each message runs under a correlation id of its own, as each HTTP request does: every log line the
    // message causes (here, in the bid's use case) carries it. socket.io dispatches on a next tick, which
    // keeps the context.
    socket.use((_packet, next) => correlation.run({ id: randomUUID() }, next));
    // A recovered session brings back its rooms, the user's among them: that one is earned again below.
    if (socket.recovered) {
      socket.data.user = undefined;
      await Promise.all([...socket.rooms].filter((room) => room.startsWith(USER_ROOM_PREFIX)).map((room) => socket.leave(room)));
    }
    const token = handshakeToken(socket);
    if (!token) return;
    const checked = this.revocations;
    let user: AuthUser | null;
    try {
      user = await this.tokens.userOf(token);
    } catch (error) {
      // The revocation check needs the database. While it is away the socket watches anonymously, and
      // `bid.place` checks the token again (an unhandled rejection here ended the process: found by hand).
      this.logger.warn(`token not checked on connect (${error instanceof Error ? error.message : String(error)}): watching anonymously until it bids`);
      return;
    }
    if (user) {
      await this.signIn(socket, user, checked);
    } else {
      // A bad token is refused outright rather than silently downgraded to an anonymous watcher.
      socket.disconnect(true);
    }
  }

  /**
   * Joins the user's room, unless a revocation came while the token was being checked (`checked` is the count
   * before the check): it found the socket not yet signed in, so the token is checked again first.
   */
  private async signIn(socket: AuctionSocket, user: AuthUser, checked: number): Promise<void> {
    const token = handshakeToken(socket);
    let current: AuthUser | null = user;
    try {
      while (current && token && checked !== this.revocations) {
        checked = this.revocations;
        current = await this.tokens.userOf(token);
      }
    } catch (error) {
      this.logger.warn(`token not checked again (${error instanceof Error ? error.message : String(error)}): watching anonymously until it bids`);
      return;
    }
    // Joining the room of a socket that is gone would keep it there (its disconnect has left every room).
    if (!current || socket.disconnected) return;
    socket.data.user = current;
    this.signOutAtExpiry(socket, token);
    await socket.join(userRoom(current.id));
  }

  /** Its token's expiry takes the socket out of its user's room, as a revocation does (a renewal moves it). */
  private signOutAtExpiry(socket: AuctionSocket, token: string | null): void {
    this.clearExpiry(socket);
    const at = token ? this.tokens.expiryOf(token) : null;
    if (at === null) return;
    const timer = setTimeout(() => {
      this.expiries.delete(socket.id);
      void this.signOut(socket);
    }, Math.max(0, at - Date.now()));
    timer.unref();
    this.expiries.set(socket.id, timer);
  }

  private clearExpiry(socket: AuctionSocket): void {
    const timer = this.expiries.get(socket.id);
    if (timer) clearTimeout(timer);
    this.expiries.delete(socket.id);
  }

  /** Synchronously (the room is left before anything else can be sent to it), then the adapter's promise. */
  private signOut(socket: AuctionSocket): Promise<void> | void {
    this.clearExpiry(socket);
    const user = socket.data.user;
    if (!user) return;
    socket.data.user = undefined;
    return socket.leave(userRoom(user.id));
  }

  /**
   * A revocation this instance heard of (its own or another instance's, see accounts/token-versions.ts). The
   * user's sockets leave the user room at once, before their tokens are checked again, so not one more notice
   * reaches a revoked session; the sockets whose token is still good (issued after the revocation) come back
   * after the check. When whose tokens were revoked is unknown (null), every signed-in socket is checked and
   * only those whose token is refused leave.
   */
  @OnEvent(TokensRevoked.topic)
  async onTokensRevoked(e: TokensRevoked): Promise<void> {
    this.revocations += 1;
    if (!this.server) return; // not serving yet: no socket to take out
    const affected = [...this.server.sockets.values()].filter((s) => s.data.user && (e.userId === null || s.data.user.id === e.userId)) as AuctionSocket[];
    if (e.userId !== null) await Promise.all(affected.map((s) => this.signOut(s)));
    await Promise.all(
      affected.map(async (socket) => {
        const checked = this.revocations;
        const token = handshakeToken(socket);
        let user: AuthUser | null = null;
        try {
          user = token ? await this.tokens.userOf(token) : null;
        } catch (error) {
          // Unchecked counts as revoked: the socket watches anonymously, and its next bid checks again.
          this.logger.warn(`token not checked after a revocation (${error instanceof Error ? error.message : String(error)}): watching anonymously until it bids`);
        }
        if (!user) await this.signOut(socket);
        else if (!socket.data.user) await this.signIn(socket, user, checked);
      }),
    );
  }

  @SubscribeMessage('lot.watch')
  async watch(@ConnectedSocket() socket: AuctionSocket, @MessageBody() body: unknown) {
    try {
      const { lotId } = parse(WatchMessage, body);
      // Join before reading the snapshot: a bid committed in between then reaches the watcher as an event
      // (a repeat of the snapshot is dropped by seq) instead of falling between snapshot and room.
      await socket.join(lotRoom(lotId));
      let lot;
      try {
        lot = await this.snapshots.get(lotId);
      } catch (error) {
        await socket.leave(lotRoom(lotId));
        throw error;
      }
      if (!lot.closedAt) this.events.emit(LotWatched.topic, new LotWatched(lotId, lot.seq));
      return { ok: true, lot, serverTime: new Date().toISOString() };
    } catch (error) {
      return this.refusal(error, 'lot.watch');
    }
  }

  @SubscribeMessage('lot.unwatch')
  async unwatch(@ConnectedSocket() socket: AuctionSocket, @MessageBody() body: unknown) {
    try {
      const { lotId } = parse(WatchMessage, body);
      await socket.leave(lotRoom(lotId));
      return { ok: true };
    } catch (error) {
      return this.refusal(error, 'lot.unwatch');
    }
  }

  /**
   * A renewed access token for this socket (the web app renews its token a minute before the 15 minutes are
   * up). It is checked like a handshake token and then replaces it, so the socket stays signed in (its
   * `bid.outbid` notices, its bids) without reconnecting, which in the last minutes would cost a watcher a
   * snapshot and a resync. A socket signed in as one user cannot become another (reconnect for that); an
   * anonymous socket signs in. A token refused leaves the socket as it was.
   */
  @SubscribeMessage('auth.renew')
  async renew(@ConnectedSocket() socket: AuctionSocket, @MessageBody() body: unknown) {
    try {
      const { token } = parse(RenewMessage, body);
      const checked = this.revocations;
      const user = await this.tokens.userOf(token);
      if (!user) return { ok: false, error: { statusCode: 401, code: 'UNAUTHENTICATED', message: 'this token is expired, revoked or not ours: log in again' } };
      const signedIn = socket.data.user;
      if (signedIn && signedIn.id !== user.id) {
        return { ok: false, error: { statusCode: 409, code: 'SOCKET_USER_MISMATCH', message: 'this socket is signed in as another user: reconnect to change user', details: { field: 'token' } } };
      }
      (socket.handshake.auth as Record<string, unknown>).token = token;
      if (signedIn) {
        socket.data.user = user;
        this.signOutAtExpiry(socket, token);
      } else await this.signIn(socket, user, checked);
      return { ok: true };
    } catch (error) {
      return this.refusal(error, 'auth.renew');
    }
  }

  @SubscribeMessage('time.sync')
  timeSync() {
    return { serverTime: new Date().toISOString() };
  }

  /** The same use case as POST /api/lots/:id/bids; the ack carries the bid or the coded refusal. */
  @SubscribeMessage('bid.place')
  async bid(@ConnectedSocket() socket: AuctionSocket, @MessageBody() body: unknown) {
    try {
      // The token is checked on every bid, not only at the handshake: one that expired or was revoked
      // (logout, password change) since the socket connected must not bid (found by hand). The check is
      // cached (signature once, revocation version until a revocation is notified), so it costs a lookup.
      const token = handshakeToken(socket);
      const checked = this.revocations;
      const user = token ? await this.tokens.userOf(token) : null;
      if (!user) {
        await this.signOut(socket);
        return {
          ok: false,
          error: token
            ? { statusCode: 401, code: 'UNAUTHENTICATED', message: 'your session has expired or was ended (logout, password change): log in again and reconnect' }
            : { statusCode: 401, code: 'UNAUTHENTICATED', message: 'bidding needs a token in the handshake (auth.token)' },
        };
      }
      // The connection handler may not have finished (or could not check the token): sign in now.
      if (!socket.data.user) await this.signIn(socket, user, checked);
      if (!user.roles.includes('bidder')) return { ok: false, error: { statusCode: 403, code: 'FORBIDDEN', message: 'requires role bidder' } };
      const msg = parse(BidMessage, body);
      const result = await this.placeBid.place(user.id, msg.lotId, { amount: msg.amount, confirmJump: msg.confirmJump, idempotencyKey: msg.idempotencyKey });
      return { ok: true, ...result };
    } catch (error) {
      return this.refusal(error, 'bid.place');
    }
  }
}

function handshakeToken(socket: AuctionSocket): string | null {
  const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' && token.length > 0 ? token : null;
}
