/**
 * Multipart uploads: one file per request, in the field `file`, read with @fastify/multipart. Its limits
 * stop a request with more files, other file fields or an oversized file while it streams, before anything
 * is stored; this maps its errors to our coded refusals naming the field and the rule. The content checks
 * (magic bytes, size, count per lot) stay in the services.
 */
import fastifyMultipart from '@fastify/multipart';
import { applyDecorators, Injectable, UseInterceptors, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Observable } from 'rxjs';
import { CommonError } from './app-error.js';
import { unsupportedMediaType } from './http-exception.filter.js';

/** The hard cap of one file; the configured UPLOAD_MAX_BYTES (smaller) is checked by the service. */
const HARD_MAX_BYTES = 50 * 1024 * 1024;

/** What `@UploadedFile()` gives a controller. */
export interface UploadedFileContent {
  fieldname: string;
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

/** Fastify route config of the routes that take a file (`OneFileUpload`). */
const UPLOAD_ROUTE = { oneFileUpload: true };

/**
 * Registers the multipart parser (after the JSON one: see http-server.ts). The plugin accepts multipart
 * on every route and leaves the body unread; a route that takes no file would then see no body at all
 * and refuse the fields as missing, which misleads. It is refused as 415, as any other media type a route
 * does not read, before anything else runs.
 */
export async function installMultipart(server: FastifyInstance): Promise<void> {
  await server.register(fastifyMultipart, { limits: { fileSize: HARD_MAX_BYTES, files: 1, fields: 5, parts: 6 } });
  server.addHook('preValidation', (req, reply, done) => {
    if (!req.isMultipart() || (req.routeOptions.config as { oneFileUpload?: boolean } | undefined)?.oneFileUpload) return done();
    void reply.status(415).send(unsupportedMediaType('this route reads application/json; multipart/form-data is for uploads only'));
  });
}

function refusal(error: unknown): unknown {
  if (error instanceof CommonError) return error;
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new CommonError('FILE_TOO_LARGE', 'too_large', `file is larger than the limit of ${HARD_MAX_BYTES} bytes`, { field: 'file', maxBytes: HARD_MAX_BYTES });
    case 'FST_FILES_LIMIT':
      return CommonError.badInput('file', 'maxCount', 'one file per request (multipart field "file")');
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return CommonError.badInput('multipart', 'maxFields', 'at most 5 fields and one file per request');
    case 'FST_PROTO_VIOLATION':
      return CommonError.badInput('multipart', 'fieldName', 'a field name may not be a prototype property');
    default: {
      // Anything else comes from the body itself (busboy: "Unexpected end of form", "Malformed part header",
      // "Boundary not found", or the client going away): the file is held in memory, so no storage failed.
      const reason = error instanceof Error ? error.message : String(error);
      return new CommonError('UPLOAD_MALFORMED', 'bad_input', `the multipart body is malformed (${reason})`, { fields: [{ field: 'multipart', rules: { wellFormed: 'a complete multipart/form-data body, ending with its closing boundary' } }] });
    }
  }
}

/** Reads the whole multipart body: its fields become the body (validated by the route's DTO), its file `req.file`. */
async function readMultipart(req: FastifyRequest): Promise<void> {
  const fields: Record<string, string> = {};
  let file: UploadedFileContent | undefined;
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file') {
        part.file.resume();
        throw CommonError.badInput(part.fieldname, 'unexpectedFile', `files go in the multipart field "file", not "${part.fieldname}"`);
      }
      const buffer = await part.toBuffer();
      file = { fieldname: part.fieldname, originalname: part.filename, mimetype: part.mimetype, size: buffer.length, buffer };
    } else {
      fields[part.fieldname] = String(part.value);
    }
  }
  (req as { body?: unknown }).body = fields;
  // Where Nest's @UploadedFile() reads it (shadowing the plugin's req.file() reader, as Nest's own
  // Fastify upload interceptors do).
  (req as unknown as { file?: UploadedFileContent }).file = file;
}

@Injectable()
class OneFileInterceptor implements NestInterceptor {
  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (req.isMultipart()) {
      try {
        await readMultipart(req);
      } catch (error) {
        throw refusal(error);
      }
    } else {
      // A request that is not multipart has no file (the controller answers "file is required"); the
      // plugin's req.file() reader must not be taken for one.
      (req as unknown as { file?: UploadedFileContent }).file = undefined;
    }
    return next.handle();
  }
}

/** The route takes one uploaded file in the multipart field `file` (read it with `@UploadedFile()`). */
export const OneFileUpload = (): MethodDecorator => applyDecorators(RouteConfig(UPLOAD_ROUTE), UseInterceptors(OneFileInterceptor));

/**
 * The content of a stored upload, or null when the record outlived it on disk (a lost volume, a restore
 * without UPLOAD_DIR): the caller answers a coded 404 and logs an error for the operator, not a 500.
 */
export async function readStoredFile(uploadDir: string, storedAs: string): Promise<Buffer | null> {
  try {
    return await readFile(path.join(uploadDir, storedAs));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
