/**
 * Structured JSON logs (pino) with a correlation id per request and per socket message. Nothing from a
 * request body, header or token is logged: only method, route, status, duration and ids. Values that look
 * like a resident ID number, a bearer token or a password field are redacted as a last line of defence.
 */
import type { LoggerService } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import pino, { type Logger } from 'pino';

export const correlation = new AsyncLocalStorage<{ id: string }>();

const SECRET_PATTERNS: [RegExp, string][] = [
  [/\b\d{17}[\dXx]\b/g, '[id-number]'],
  [/Bearer\s+[A-Za-z0-9._-]+/g, 'Bearer [token]'],
  [/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, '[jwt]'],
  [/("?(?:password|newPassword|currentPassword|idNumber|accessToken|refreshToken|token|secret)"?\s*[:=]\s*)"[^"]*"/gi, '$1"[redacted]"'],
  [/(sk|rk)_(test|live)_[A-Za-z0-9]+/g, '[stripe-key]'],
  [/whsec_[A-Za-z0-9]+/g, '[webhook-secret]'],
];

export function scrub(text: string): string {
  return SECRET_PATTERNS.reduce((t, [re, to]) => t.replace(re, to), text);
}

export function createRootLogger(level: string, file?: string): Logger {
  return pino({
    level: level === 'silent' ? 'silent' : level,
    base: { service: 'fapai-api' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? scrub(a) : a && typeof a === 'object' ? JSON.parse(scrub(JSON.stringify(a))) : a)) as Parameters<typeof method>);
      },
    },
  }, file ? pino.destination({ dest: file, sync: true }) : undefined);
}

const NEST_STARTUP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'WebSocketsController', 'NestFactory']);

/** Nest's logger interface on top of pino, carrying the current correlation id. */
export class JsonLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  private write(level: 'info' | 'warn' | 'error' | 'debug' | 'trace' | 'fatal', message: unknown, context?: string, extra?: Record<string, unknown>): void {
    const reqId = correlation.getStore()?.id;
    const msg = typeof message === 'string' ? message : undefined;
    const obj = typeof message === 'object' && message !== null ? (message as Record<string, unknown>) : {};
    this.root[level]({ ...obj, ...extra, context, reqId }, msg);
  }
  log(message: unknown, context?: string): void {
    // Nest's start-up chatter (every module and route) is for debugging, not for the operator's console.
    this.write(context && NEST_STARTUP_CONTEXTS.has(context) ? 'debug' : 'info', message, context);
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.write('error', message, context, trace ? { trace } : undefined);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }
}

/** The request's correlation id: its `X-Request-Id` when that is a sane token, else a new one (Fastify's `genReqId`). */
export function requestIdOf(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && /^[A-Za-z0-9._-]{1,100}$/.test(header) ? header : randomUUID();
}

const REQUEST_SCOPE = Symbol('fapai.requestScope');
type ScopedRequest = FastifyRequest & { [REQUEST_SCOPE]?: AsyncResource };

/**
 * Echoes the correlation id, runs the request inside it (so every log line of the request carries it), and
 * logs one line per request. The body is read from socket events that belong to no request, so the scope
 * entered on arrival is lost by the time the handler runs; it is re-entered before the handler.
 */
export function installRequestLogging(server: FastifyInstance, root: Logger): void {
  server.addHook('onRequest', (req, reply, done) => {
    reply.header('X-Request-Id', req.id);
    correlation.run({ id: req.id }, () => {
      (req as ScopedRequest)[REQUEST_SCOPE] = new AsyncResource('fapai.request');
      done();
    });
  });
  server.addHook('preHandler', (req, _reply, done) => {
    const scope = (req as ScopedRequest)[REQUEST_SCOPE];
    if (scope) scope.runInAsyncScope(done);
    else done();
  });
  // The request line is at info: at a quieter level (production under load) skip the hook entirely.
  if (root.isLevelEnabled('info')) {
    server.addHook('onResponse', (req, reply, done) => {
      const route = req.routeOptions.url ?? req.url.split('?')[0];
      root.info({ reqId: req.id, method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
      done();
    });
  }
}
