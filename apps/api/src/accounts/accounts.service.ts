import { Inject, Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { maskResidentId, validateResidentId } from '@fapai/domain';
import { AuditService } from '../audit/audit.service.js';
import { TokenVersionSource, type Role, type TokenClaims } from '../common/auth.js';
import { isUniqueViolation, returnedRows } from '../common/db.js';
import { RateLimiter } from '../common/rate-limit.js';
import { APP_CONFIG, type AppConfig } from '../config/env.js';
import { AccountError } from './accounts.errors.js';
import { deviceTokenKey, signDeviceToken, verifyDeviceToken } from './device-token.js';
import type { CreateStaffDto, IdentityDto, LoginDto, RegisterDto, UserView } from './accounts.dto.js';
import { hashPassword, passwordHashing, verifyPassword } from './password.js';
import { TokenVersions } from './token-versions.js';
import { User } from './user.entity.js';

const LOCK_AFTER_FAILURES = 5;
const LOCK_MS = 15 * 60_000;

/** Successors one refresh token may have: the first, and those of races within the grace period. */
const MAX_SUCCESSORS = 3;

@Injectable()
export class AccountsService extends TokenVersionSource {
  private readonly logger = new Logger('Accounts');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly versions: TokenVersions,
    private readonly limiter: RateLimiter,
  ) {
    super();
    passwordHashing.configure(config.passwordHashing.concurrency, config.passwordHashing.queue);
    this.deviceKey = deviceTokenKey(config.jwtSecret);
  }

  private readonly deviceKey: Buffer;

  async register(dto: RegisterDto): Promise<{ id: string }> {
    const passwordHash = await hashPassword(dto.password);
    try {
      return await this.db.transaction(async (em) => {
        const user = await em.save(em.create(User, { email: dto.email.toLowerCase(), passwordHash, displayName: dto.displayName, roles: ['bidder'] as Role[], courtId: null, agencyId: null }));
        await this.audit.append(em, { stream: `user:${user.id}`, action: 'user.registered', actorId: user.id, data: { roles: user.roles } });
        return { id: user.id };
      });
    } catch (error) {
      if (isUniqueViolation(error, 'users_email_key')) throw new AccountError('EMAIL_TAKEN', { field: 'email' });
      throw error;
    }
  }

  /**
   * Guessing is bounded twice: attempts per account a minute (the rate limiter) and a lock after
   * LOCK_AFTER_FAILURES failures in a row. A login with the account's device token (device-token.ts) is bounded
   * by that device's own attempts and failures instead, so someone who only knows the e-mail cannot lock the
   * owner out of an account they have used on this browser before. Every success returns a device token.
   */
  async login(dto: LoginDto): Promise<{ accessToken: string; refreshToken: string; expiresIn: number; deviceToken: string; user: { id: string; roles: Role[] } }> {
    const email = dto.email.toLowerCase();
    const user = await this.db.getRepository(User).findOneBy({ email });
    // A device token counts only for the account it was issued to, and only until the account's tokens are
    // revoked (password change, logout everywhere, refresh-token theft).
    const claim = verifyDeviceToken(this.deviceKey, dto.deviceToken, Date.now());
    const device = user && claim?.userId === user.id && claim.tokenVersion === user.tokenVersion ? claim : null;
    await this.limiter.consume(device ? 'login_device' : 'login_account', device ? device.deviceId : email);
    if (!user) {
      await hashPassword(dto.password); // same work either way: no user enumeration by timing
      throw new AccountError('INVALID_CREDENTIALS');
    }
    const deviceRow = device ? await this.deviceLogin(device.deviceId) : null;
    const lockedUntil = device ? (deviceRow?.lockedUntil ?? null) : user.lockedUntil;
    if (lockedUntil && lockedUntil.getTime() > Date.now()) {
      throw new AccountError('ACCOUNT_LOCKED', { retryAfterSeconds: Math.ceil((lockedUntil.getTime() - Date.now()) / 1000) });
    }
    // A trusted device's check waits in a line of its own, ahead of a login flood's (password.ts).
    if (!(await verifyPassword(dto.password, user.passwordHash, device ? 'trusted' : 'anyone'))) {
      // Failures after an expired lock count afresh (from 1, which never locks): otherwise one typo, or an
      // attacker's one request per lock period, would lock the account (or the device) again at once.
      // `t` names the row being counted (an upsert's SET must say which of its rows it reads).
      const count = (t: string): string => `failed_logins = CASE WHEN ${t}.locked_until <= now() THEN 1 ELSE ${t}.failed_logins + 1 END,
                locked_until = CASE WHEN ${t}.locked_until <= now() THEN NULL
                                    WHEN ${t}.failed_logins + 1 >= $2 THEN now() + ($3 || ' milliseconds')::interval ELSE ${t}.locked_until END`;
      if (device) {
        await this.db.query(
          `INSERT INTO device_logins (device_id, user_id, failed_logins, locked_until) VALUES ($1, $4, 1, CASE WHEN 1 >= $2 THEN now() + ($3 || ' milliseconds')::interval END)
           ON CONFLICT (device_id) DO UPDATE SET ${count('device_logins')}, updated_at = now()`,
          [device.deviceId, LOCK_AFTER_FAILURES, String(LOCK_MS), user.id],
        );
      } else {
        await this.db.query(`UPDATE users SET ${count('users')} WHERE id = $1`, [user.id, LOCK_AFTER_FAILURES, String(LOCK_MS)]);
      }
      throw new AccountError('INVALID_CREDENTIALS');
    }
    // A success clears the failures of what was checked: the device's, or the account's. A trusted device
    // leaves the account's lock alone, so whoever caused it keeps it.
    if (device) {
      if (deviceRow) await this.db.query('DELETE FROM device_logins WHERE device_id = $1', [device.deviceId]);
    } else if (user.failedLogins > 0 || user.lockedUntil) await this.db.query('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1', [user.id]);
    return {
      accessToken: await this.issueToken(user),
      refreshToken: await this.issueRefreshToken(user.id),
      expiresIn: this.config.jwtTtlSeconds,
      // The same device keeps its id; its token is renewed so that a device in use does not expire.
      deviceToken: signDeviceToken(this.deviceKey, user.id, user.tokenVersion, Date.now(), device?.deviceId),
      user: { id: user.id, roles: user.roles },
    };
  }

  /** The device's failure record, or null when it has none (then a success has nothing to clear). */
  private async deviceLogin(deviceId: string): Promise<{ lockedUntil: Date | null } | null> {
    const rows = (await this.db.query('SELECT locked_until FROM device_logins WHERE device_id = $1', [deviceId])) as { locked_until: Date | null }[];
    return rows[0] ? { lockedUntil: rows[0].locked_until } : null;
  }

  private async issueRefreshToken(userId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.db.query(`INSERT INTO refresh_tokens (user_id, token_hash, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`, [userId, sha256(token), this.config.refreshTtlSeconds]);
    return token;
  }

  /**
   * Exchanges a refresh token (once) for a new access token and a new refresh token, which the used one
   * records as `replaced_by` in the same statement. A used token presented again means that two parties
   * hold the chain (a thief and its owner, and nobody can tell which is which): the chain is revoked.
   * Except within `REFRESH_REUSE_GRACE_SECONDS` of its use, while nothing issued after it has been revoked:
   * that is the same client racing itself (two tabs of one session, a retry sent before the first answer
   * came), which gets a second successor (at most MAX_SUCCESSORS) instead of losing its session.
   */
  async refresh(refreshToken: string): Promise<{ accessToken: string; refreshToken: string; expiresIn: number; user: { id: string; roles: Role[] } }> {
    const successor = randomBytes(32).toString('base64url');
    const params = [sha256(refreshToken), randomUUID(), sha256(successor), this.config.refreshTtlSeconds];
    let issued = returnedRows<{ user_id: string }>(
      await this.db.query(
        `WITH used AS (
           UPDATE refresh_tokens SET revoked_at = now(), replaced_by = $2
           WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now() RETURNING id, user_id)
         INSERT INTO refresh_tokens (id, user_id, token_hash, expires_at, parent_id)
         SELECT $2, user_id, $3, now() + make_interval(secs => $4), id FROM used RETURNING user_id`,
        params,
      ),
    );
    if (issued.length === 0 && this.config.refreshReuseGraceSeconds > 0) {
      // The row lock orders this after a rotation racing it; "nothing revoked below" = no token issued after
      // this one was revoked without being used (logout, password change, a reuse found meanwhile).
      issued = returnedRows<{ user_id: string }>(
        await this.db.query(
          `WITH used AS (
             SELECT u.id, u.user_id FROM refresh_tokens u
             WHERE u.token_hash = $1 AND u.replaced_by IS NOT NULL AND u.expires_at > now()
               AND u.revoked_at > now() - make_interval(secs => $5)
               AND (SELECT count(*) FROM refresh_tokens c WHERE c.parent_id = u.id) < ${MAX_SUCCESSORS}
               AND NOT EXISTS (
                 WITH RECURSIVE below AS (
                   SELECT t.id, t.revoked_at, t.replaced_by FROM refresh_tokens t WHERE t.parent_id = u.id
                   UNION ALL
                   SELECT t.id, t.revoked_at, t.replaced_by FROM refresh_tokens t JOIN below b ON t.parent_id = b.id)
                 SELECT 1 FROM below WHERE below.revoked_at IS NOT NULL AND below.replaced_by IS NULL)
             FOR UPDATE OF u)
           INSERT INTO refresh_tokens (id, user_id, token_hash, expires_at, parent_id)
           SELECT $2, user_id, $3, now() + make_interval(secs => $4), id FROM used RETURNING user_id`,
          [...params, this.config.refreshReuseGraceSeconds],
        ),
      );
    }
    if (issued.length === 0) {
      const [used] = (await this.db.query('SELECT id, user_id FROM refresh_tokens WHERE token_hash = $1 AND replaced_by IS NOT NULL', [sha256(refreshToken)])) as { id: string; user_id: string }[];
      if (used) await this.revokeReusedChain(used.id, used.user_id);
      throw new AccountError('REFRESH_TOKEN_INVALID', { field: 'refreshToken' });
    }
    const user = await this.db.getRepository(User).findOneByOrFail({ id: issued[0].user_id });
    return { accessToken: await this.issueToken(user), refreshToken: successor, expiresIn: this.config.jwtTtlSeconds, user: { id: user.id, roles: user.roles } };
  }

  /**
   * Revokes every refresh token issued from a reused one (the tree below it) and, when one of them was still
   * in use, the account's access tokens (they are revocable only per account). Tokens revoked already by a
   * logout or a password change came with their own revocation of the access tokens: replaying an old token
   * then only leaves a record, so a thief's stale token cannot log the owner out again and again.
   */
  private async revokeReusedChain(tokenId: string, userId: string): Promise<void> {
    const revoked = await this.db.transaction(async (em) => {
      let count = 0;
      // A rotation racing this one adds a successor that this statement's snapshot does not see (it only finds
      // its parent used when it gets the row): walk the tree again then.
      for (;;) {
        const [walk] = (await em.query(
          `WITH RECURSIVE chain AS (
             SELECT id, revoked_at FROM refresh_tokens WHERE id = $1
             UNION ALL
             SELECT t.id, t.revoked_at FROM refresh_tokens t JOIN chain c ON t.parent_id = c.id),
           revoked AS (
             UPDATE refresh_tokens SET revoked_at = now() WHERE id IN (SELECT id FROM chain WHERE revoked_at IS NULL) AND revoked_at IS NULL RETURNING id)
           SELECT (SELECT count(*) FROM chain WHERE revoked_at IS NULL)::int AS live, (SELECT count(*) FROM revoked)::int AS revoked`,
          [tokenId],
        )) as { live: number; revoked: number }[];
        count += walk.revoked;
        if (walk.revoked === walk.live) break;
      }
      if (count > 0) await this.versions.revoke(em, userId);
      await this.audit.append(em, { stream: `user:${userId}`, action: 'user.refresh_token_reused', actorId: null, data: { refreshTokenId: tokenId, revokedTokens: count } });
      return count;
    });
    if (revoked > 0) this.versions.forget(userId);
    this.logger.warn(`refresh token ${tokenId} of user ${userId} was used again: ${revoked > 0 ? 'its chain and the account\'s access tokens are revoked' : 'its chain was revoked already'}`);
  }

  /** A password change revokes every token of the account. */
  async changePassword(userId: string, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.db.getRepository(User).findOneByOrFail({ id: userId });
    // A signed-in user is known: both checks wait in the trusted line.
    if (!(await verifyPassword(currentPassword, user.passwordHash, 'trusted'))) throw new AccountError('INVALID_CREDENTIALS', { field: 'currentPassword' });
    const passwordHash = await hashPassword(newPassword, 'trusted');
    await this.db.transaction(async (em) => {
      await em.query('UPDATE users SET password_hash = $2 WHERE id = $1', [userId, passwordHash]);
      await this.versions.revoke(em, userId);
      await em.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
      await this.audit.append(em, { stream: `user:${userId}`, action: 'user.password_changed', actorId: userId, data: {} });
    });
    this.versions.forget(userId);
  }

  issueToken(user: Pick<User, 'id' | 'roles' | 'courtId' | 'agencyId' | 'tokenVersion'>): Promise<string> {
    const claims: TokenClaims = { sub: user.id, roles: user.roles, courtId: user.courtId, agencyId: user.agencyId, ver: user.tokenVersion };
    return this.jwt.signAsync(claims);
  }

  /** Revokes every token of the user (logout everywhere). */
  async revokeTokens(userId: string): Promise<void> {
    await this.db.transaction(async (em) => {
      await this.versions.revoke(em, userId);
      await em.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
    });
    this.versions.forget(userId);
  }

  currentVersion(userId: string): Promise<number | null> {
    return this.versions.current(userId);
  }

  async me(userId: string): Promise<UserView> {
    const user = await this.db.getRepository(User).findOneByOrFail({ id: userId });
    return toView(user);
  }

  /** Real-name verification (实名认证): GB 11643 check digit, one verified account per resident ID. */
  async verifyIdentity(userId: string, dto: IdentityDto): Promise<UserView> {
    const idNumber = dto.idNumber.toUpperCase();
    const check = validateResidentId(idNumber);
    if (!check.ok) throw new AccountError('RESIDENT_ID_INVALID', { field: 'idNumber', reason: check.reason });
    const idNumberHash = createHmac('sha256', this.config.identityHashKey).update(idNumber).digest('hex');
    try {
      return await this.db.transaction(async (em) => {
        const user = await em.getRepository(User).createQueryBuilder('u').setLock('pessimistic_write').where('u.id = :id', { id: userId }).getOneOrFail();
        if (user.identityVerifiedAt) throw new AccountError('IDENTITY_ALREADY_VERIFIED');
        user.realName = dto.realName.trim();
        user.phone = dto.phone;
        user.idNumberHash = idNumberHash;
        user.idNumberMasked = maskResidentId(idNumber);
        user.identityVerifiedAt = new Date();
        await em.save(user);
        await this.audit.append(em, { stream: `user:${user.id}`, action: 'user.identity_verified', actorId: user.id, data: { idNumberMasked: user.idNumberMasked } });
        return toView(user);
      });
    } catch (error) {
      if (isUniqueViolation(error, 'users_id_number_hash_key')) throw new AccountError('IDENTITY_IN_USE', { field: 'idNumber' });
      throw error;
    }
  }

  async createStaff(actorId: string, dto: CreateStaffDto): Promise<{ id: string }> {
    if ((dto.role === 'court_clerk' && !dto.courtId) || (dto.role === 'appraiser' && !dto.agencyId)) throw new AccountError('STAFF_ORGANISATION_REQUIRED');
    const passwordHash = await hashPassword(dto.password);
    try {
      return await this.db.transaction(async (em) => {
        if (dto.role === 'court_clerk') {
          const found = (await em.query('SELECT 1 FROM courts WHERE id = $1', [dto.courtId])) as unknown[];
          if (found.length === 0) throw new AccountError('ORGANISATION_NOT_FOUND', { field: 'courtId' });
        }
        if (dto.role === 'appraiser') {
          const found = (await em.query('SELECT 1 FROM agencies WHERE id = $1', [dto.agencyId])) as unknown[];
          if (found.length === 0) throw new AccountError('ORGANISATION_NOT_FOUND', { field: 'agencyId' });
        }
        const user = await em.save(
          em.create(User, {
            email: dto.email.toLowerCase(),
            passwordHash,
            displayName: dto.displayName || dto.email,
            roles: [dto.role],
            courtId: dto.role === 'court_clerk' ? (dto.courtId ?? null) : null,
            agencyId: dto.role === 'appraiser' ? (dto.agencyId ?? null) : null,
          }),
        );
        await this.audit.append(em, { stream: `user:${user.id}`, action: 'user.staff_created', actorId, data: { role: dto.role, courtId: user.courtId, agencyId: user.agencyId } });
        return { id: user.id };
      });
    } catch (error) {
      if (isUniqueViolation(error, 'users_email_key')) throw new AccountError('EMAIL_TAKEN', { field: 'email' });
      throw error;
    }
  }

  /** A login for a party of a case (当事人), linked by the court; parties may also bid (ASR Art. 12 ¶2). */
  async createPartyAccount(actorId: string, input: { email: string; password: string; displayName: string }): Promise<{ id: string }> {
    const passwordHash = await hashPassword(input.password);
    try {
      return await this.db.transaction(async (em) => {
        const user = await em.save(em.create(User, { email: input.email.toLowerCase(), passwordHash, displayName: input.displayName, roles: ['party', 'bidder'] as Role[], courtId: null, agencyId: null }));
        await this.audit.append(em, { stream: `user:${user.id}`, action: 'user.party_created', actorId, data: {} });
        return { id: user.id };
      });
    } catch (error) {
      if (isUniqueViolation(error, 'users_email_key')) throw new AccountError('EMAIL_TAKEN', { field: 'email' });
      throw error;
    }
  }

  /** The operator account from ADMIN_EMAIL / ADMIN_PASSWORD, created on first start. */
  async ensureAdmin(): Promise<void> {
    const exists = (await this.db.query('SELECT 1 FROM users WHERE email = $1', [this.config.adminEmail])) as unknown[];
    if (exists.length > 0) return;
    const passwordHash = await hashPassword(this.config.adminPassword);
    await this.db.query(`INSERT INTO users (email, password_hash, display_name, roles) VALUES ($1, $2, 'Platform operator', ARRAY['admin']) ON CONFLICT DO NOTHING`, [this.config.adminEmail, passwordHash]);
  }
}

function toView(user: User): UserView {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    roles: user.roles,
    courtId: user.courtId,
    agencyId: user.agencyId,
    identityVerified: user.identityVerifiedAt !== null,
    realName: user.realName,
    idNumberMasked: user.idNumberMasked,
    phoneMasked: user.phone ? `${user.phone.slice(0, 3)}****${user.phone.slice(7)}` : null,
  };
}

function sha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
