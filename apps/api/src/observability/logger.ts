/**
 * Structured JSON logs (pino) with a correlation id per request and per socket message. Nothing from a
 * request body, header or token is logged: only method, route, status, duration and ids. Values that look
 * like a resident ID number, a bearer token or a password field are redacted as a last line of defence.
 */
import type { LoggerService } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
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

/** Assigns the correlation id (X-Request-Id or a new one), echoes it, and logs one line per request. */
export function requestLogging(root: Logger) {
  return (req: Request & { id?: string }, res: Response, next: NextFunction): void => {
    const header = req.headers['x-request-id'];
    const id = typeof header === 'string' && /^[A-Za-z0-9._-]{1,100}$/.test(header) ? header : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    const started = process.hrtime.bigint();
    // The request line is at info: at a quieter level (production under load) skip the listener entirely.
    if (root.isLevelEnabled('info')) {
      res.on('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const route = (req as Request & { route?: { path?: string } }).route?.path ?? req.path;
        root.info({ reqId: id, method: req.method, route, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
      });
    }
    correlation.run({ id }, () => next());
  };
}
