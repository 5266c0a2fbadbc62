import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './app-error.js';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Maps every error to `{ statusCode, code, message, details }`; 500s say only "internal error" and an id. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const req = ctx.getRequest<FastifyRequest>();
    const body = toErrorBody(exception);
    reportServerError(this.logger, exception, body, String(req.id ?? randomUUID()), { path: req.url.split('?')[0] });
    if ((body.statusCode === 429 || body.statusCode === 503) && body.details?.['retryAfterSeconds']) reply.header('Retry-After', String(body.details['retryAfterSeconds']));
    reply.status(body.statusCode).send(body);
  }
}

/**
 * A 5xx answer is logged once, where it is answered (the HTTP filter, the socket gateway), and names its
 * correlation id in `details` so a user's report finds the log line. A bug (500 INTERNAL) is an error with
 * its stack; the database being away (503 DATABASE_UNAVAILABLE) is an expected outage every request meets
 * while it lasts, and a coded 5xx of ours (an AppError: e.g. PASSWORD_CHECKS_BUSY in a login flood) is a
 * deliberate answer: one warning line each, no stack (a PostgreSQL restart mid-storm otherwise floods the
 * log with a thousand identical stacks that hide the real errors).
 */
export function reportServerError(logger: Pick<Logger, 'error' | 'warn'>, exception: unknown, body: ErrorBody, correlationId: string, where: Record<string, unknown>): void {
  if (body.statusCode < 500) return;
  const e = exception instanceof Error ? exception : undefined;
  if (body.code === 'DATABASE_UNAVAILABLE' || exception instanceof AppError) logger.warn({ correlationId, ...where, code: body.code, err: e ? { name: e.name, message: e.message } : String(exception) });
  else logger.error({ correlationId, ...where, code: body.code, err: e ? { name: e.name, message: e.message, stack: e.stack } : String(exception) });
  body.details = { ...body.details, correlationId };
}

/** 415 naming the content type and the rule it breaks (a media type no parser reads, or multipart off an upload route). */
export function unsupportedMediaType(rule: string): ErrorBody {
  return { statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: rule, details: { fields: [{ field: 'content-type', rules: { mediaType: rule } }] } };
}

export function toErrorBody(exception: unknown): ErrorBody {
  // Fastify's own refusals (body too large, a media type we do not read, a bad Content-Length) reach us
  // wrapped by Nest's adapter in an HttpException whose cause is the Fastify error, which names the case.
  const framework = (exception instanceof HttpException ? exception.cause : exception) as { code?: string; message?: string } | undefined;
  if (framework?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: 'request body too large' };
  if (framework?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return unsupportedMediaType('request bodies are application/json (multipart/form-data for uploads)');
  if (exception instanceof AppError) {
    return { statusCode: exception.status, code: exception.code, message: exception.message, ...(exception.details ? { details: exception.details } : {}) };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const message = typeof response === 'string' ? response : String((response as { message?: unknown }).message ?? exception.message);
    const code = status === 404 ? 'NOT_FOUND' : status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : status === 400 ? 'VALIDATION_FAILED' : status === 429 ? 'RATE_LIMITED' : 'HTTP_ERROR';
    return { statusCode: status, code, message };
  }
  if (isDatabaseUnavailable(exception)) {
    return { statusCode: 503, code: 'DATABASE_UNAVAILABLE', message: 'the database is unavailable; nothing was changed, please retry' };
  }
  return { statusCode: 500, code: 'INTERNAL', message: 'internal error' };
}

/**
 * The database went away under the request (restart, failover, network): the transaction was rolled back
 * or never started, so the client may retry. TypeORM sometimes hides the driver error behind a released
 * query runner.
 */
export function isDatabaseUnavailable(exception: unknown): boolean {
  const e = exception as { name?: string; code?: string; message?: string; driverError?: { code?: string; message?: string } } | null;
  if (!e) return false;
  const code = e.code ?? e.driverError?.code;
  if (code && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004'].includes(code)) return true;
  if (e.name === 'QueryRunnerAlreadyReleasedError' || e.name === 'QueryRunnerProviderAlreadyReleasedError' || e.name === 'ConnectionIsNotSetError') return true;
  return /Connection terminated|connect ECONNREFUSED|read ECONNRESET|the database system is (starting up|shutting down)|terminating connection due to administrator command|Query runner already released|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable|Client was closed and is not queryable/i.test(
    `${e.message ?? ''} ${e.driverError?.message ?? ''}`,
  );
}
