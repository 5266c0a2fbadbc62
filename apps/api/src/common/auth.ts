/**
 * Route access: every route declares `@Roles(...)` or `@Public()`; the global guard fails closed on a
 * route that declares neither (and a test walks the Nest metadata to prove every route declares one).
 * The user always comes from the verified token, never from the request body.
 */
import { CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata, applyDecorators } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CommonError } from './app-error.js';

export const ROLES = ['bidder', 'court_clerk', 'appraiser', 'admin', 'party'] as const;
export type Role = (typeof ROLES)[number];

export interface AuthUser {
  id: string;
  roles: Role[];
  courtId: string | null;
  agencyId: string | null;
}

export interface TokenClaims {
  sub: string;
  roles: Role[];
  courtId: string | null;
  agencyId: string | null;
  ver: number;
}

export const ACCESS_KEY = 'fapai:access';
export type Access = { public: true } | { public: false; roles: Role[] };

export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(ACCESS_KEY, { public: true } satisfies Access);
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ACCESS_KEY, { public: false, roles } satisfies Access), ApiBearerAuth()) as MethodDecorator & ClassDecorator;

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser | undefined => ctx.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>().user);

export function userFromClaims(claims: TokenClaims): AuthUser {
  return { id: claims.sub, roles: claims.roles, courtId: claims.courtId, agencyId: claims.agencyId };
}

/** Token version check: bumped on logout-all / password change so old tokens stop working. */
export abstract class TokenVersionSource {
  abstract currentVersion(userId: string): Promise<number | null>;
}

/**
 * Verifies access tokens: the signature once per token (cached until it expires — verification is the
 * hot path's largest CPU cost), the revocation version on every use (cached, and forgotten on every
 * instance the moment a revocation commits: accounts/token-versions.ts).
 */
@Injectable()
export class TokenVerifier {
  private readonly verified = new Map<string, TokenClaims & { exp?: number }>();

  constructor(
    private readonly jwt: JwtService,
    private readonly versions: TokenVersionSource,
  ) {}

  /** The user of a valid, unrevoked token, or null. */
  async userOf(token: string): Promise<AuthUser | null> {
    let claims = this.verified.get(token);
    if (claims && claims.exp !== undefined && claims.exp * 1000 <= Date.now()) {
      this.verified.delete(token);
      claims = undefined;
    }
    if (!claims) {
      try {
        claims = await this.jwt.verifyAsync<TokenClaims & { exp?: number }>(token);
      } catch {
        return null;
      }
      if (this.verified.size > 50_000) this.verified.clear();
      this.verified.set(token, claims);
    }
    const version = await this.versions.currentVersion(claims.sub);
    return version !== null && version === claims.ver ? userFromClaims(claims) : null;
  }

  /** When a token `userOf` accepted expires (epoch ms); null when it has no expiry or is no longer known. */
  expiryOf(token: string): number | null {
    const exp = this.verified.get(token)?.exp;
    return exp === undefined ? null : exp * 1000;
  }
}

@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [context.getHandler(), context.getClass()]);
    const req = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      // An invalid token on a public route is ignored; on a protected route it is a 401 below.
      req.user = (await this.tokens.userOf(header.slice(7))) ?? undefined;
    }
    if (!access) throw CommonError.forbidden('route declares no access policy');
    if (access.public) return true;
    if (!req.user) throw CommonError.unauthenticated();
    if (!access.roles.some((role) => req.user?.roles.includes(role))) throw CommonError.forbidden(`requires role ${access.roles.join(' or ')}`);
    return true;
  }
}
