/**
 * The HTTP server under Nest is Fastify: on this platform's hot path (a bid is one small JSON request) it
 * costs about a fifth of the CPU Express did per request, and that CPU is what a 2-core court server runs
 * out of in the last minutes of a popular lot. Everything Fastify-specific lives here and in
 * `platform.ts`; controllers see plain Nest.
 *
 * - JSON bodies: one parser, 2 MB at most, kept raw as well (Stripe's webhook signature is over the exact
 *   bytes), refused as 400 INVALID_JSON unless they are a JSON object or array; an empty body is `{}` so
 *   that validation names the missing fields. Other media types are 415 (multipart only where a route
 *   takes a file, see `upload.ts`).
 * - The built web app is served from `webDist`, with `index.html` for every other path outside `/api/`
 *   (client-side routes); `/api/…` paths that match no route stay JSON 404s. `@fastify/static` is held at 9.x
 *   (package.json `overrides`, also for Swagger UI): 10.x loads an ESM-only dependency with `require`, which
 *   Jest on Node 20 cannot do, and the end-to-end tests start this server inside Jest.
 * - A request Node's HTTP parser cannot read (e.g. raw UTF-8 in the URL, not percent-encoded) is answered
 *   in the API's error shape too (`clientErrorHandler`), not with Fastify's bare "Client Error"; so is a
 *   URL whose percent-escapes do not decode (`/api/lots/%E4%B8`, half a character), which Fastify's router
 *   refuses before any route runs (`frameworkErrors`). Both are 400 MALFORMED_REQUEST.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import secureJson from 'secure-json-parse';
import { CommonError } from './app-error.js';

/** Large enough that a 1 MB string reaches validation and gets a 400 naming the field. */
export const JSON_BODY_LIMIT = 2 * 1024 * 1024;

export type RawBodyRequest = FastifyRequest & { rawBody?: Buffer };

/** Parses a JSON request body, or says why it is refused (a CommonError). Exported for the unit test. */
export function parseJsonBody(raw: Buffer, parse: (text: string) => unknown): unknown {
  if (raw.length === 0) return {};
  let body: unknown;
  try {
    body = parse(raw.toString('utf8'));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Valid JSON with a "__proto__" (or "constructor": {"prototype"}) key: refused like any other unknown key.
    if (/forbidden prototype property/.test(message)) {
      // secure-json-parse says the same for both; the raw text tells which key it was.
      const key = /"__proto__"\s*:/.test(raw.toString('utf8')) ? '__proto__' : 'constructor';
      throw CommonError.badInput(key, 'whitelistValidation', `property ${key} should not exist`);
    }
    throw CommonError.invalidJson(message);
  }
  if (body === null || typeof body !== 'object') throw CommonError.invalidJson(`a JSON ${body === null ? 'null' : typeof body} is not an object`);
  return body;
}

/** Fastify's `clientErrorHandler`: the socket had a request that is not HTTP (see the header comment). */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy(error);
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const body = JSON.stringify(
    tooLarge
      ? { statusCode: 431, code: 'HEADERS_TOO_LARGE', message: 'the request headers are larger than the server accepts (16 KB)' }
      : malformedRequest('the request is not valid HTTP; characters outside ASCII in a URL must be percent-encoded', error.code ?? 'unknown'),
  );
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** 400 MALFORMED_REQUEST: a request refused before any route could read it, with the parser's reason. */
function malformedRequest(message: string, parserError: string) {
  return { statusCode: 400, code: 'MALFORMED_REQUEST', message, details: { parserError } };
}

/** Fastify's `frameworkErrors`: the router's refusals before any route (see the header comment). */
export function frameworkErrors(error: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const status = error.code === 'FST_ERR_BAD_URL' ? 400 : (error.statusCode ?? 500);
  const body =
    error.code === 'FST_ERR_BAD_URL'
      ? malformedRequest('the URL is not valid: each %XX escape must decode, with its neighbours, to UTF-8 characters', error.code)
      : status < 500
        ? { ...malformedRequest(error.message, error.code), statusCode: status }
        : { statusCode: status, code: 'INTERNAL', message: 'internal error' };
  void reply.status(status).header('Content-Type', 'application/json; charset=utf-8').send(body);
}

export function installBodyParsers(server: FastifyInstance): void {
  server.removeAllContentTypeParsers();
  // JSON.parse that also refuses "__proto__" and "constructor.prototype" keys (prototype poisoning), with
  // JSON.parse's own message ("… at position 31") for the client.
  const parse = (text: string): unknown => secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  server.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: JSON_BODY_LIMIT }, (req, raw, done) => {
    (req as RawBodyRequest).rawBody = raw as Buffer;
    try {
      done(null, parseJsonBody(raw as Buffer, parse));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/** Serves the built web app, or a short placeholder page when it is not built. */
export async function serveWebApp(server: FastifyInstance, webDist: string, placeholder: string): Promise<void> {
  if (!existsSync(path.join(webDist, 'index.html'))) {
    server.get('/', (_req, reply) => reply.type('text/html; charset=utf-8').send(placeholder));
    return;
  }
  await server.register(fastifyStatic, { root: webDist, serve: false, maxAge: '1h' });
  server.get('/*', (req, reply) => {
    const pathname = req.url.split('?')[0];
    if (pathname === '/api' || pathname.startsWith('/api/')) return reply.callNotFound();
    let relative: string;
    try {
      relative = path.posix.normalize(decodeURIComponent(pathname)).replace(/^(\.\.\/)+/, '');
    } catch {
      return reply.callNotFound();
    }
    const file = path.join(webDist, relative);
    if (relative !== '/' && file.startsWith(webDist) && existsSync(file) && statSync(file).isFile()) return reply.sendFile(relative);
    return reply.sendFile('index.html', { maxAge: 0 });
  });
}
