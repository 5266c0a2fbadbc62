/**
 * Multipart uploads: one file per request, in the field `file`. Multer's own limits stop a request with
 * more files, other file fields or an oversized body while it streams, before anything is stored; this
 * maps its errors to our coded refusals naming the field and the rule (Nest's FileInterceptor would answer
 * a bare "Too many files"). The content checks (magic bytes, size, count per lot) stay in the services.
 */
import { applyDecorators, Injectable, UseInterceptors, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import multer from 'multer';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Observable } from 'rxjs';
import { CommonError } from './app-error.js';

/** The hard cap of a multipart body; the configured UPLOAD_MAX_BYTES (smaller) is checked by the service. */
const HARD_MAX_BYTES = 50 * 1024 * 1024;

function refusal(error: unknown): unknown {
  // Anything else the parser reports comes from the body itself (busboy: "Unexpected end of form",
  // "Malformed part header", "Multipart: Boundary not found", or the client aborting): the files are held
  // in memory, so there is no storage to fail.
  if (!(error instanceof multer.MulterError)) {
    const reason = error instanceof Error ? error.message : String(error);
    return new CommonError('UPLOAD_MALFORMED', 'bad_input', `the multipart body is malformed (${reason})`, { fields: [{ field: 'multipart', rules: { wellFormed: 'a complete multipart/form-data body, ending with its closing boundary' } }] });
  }
  switch (error.code) {
    case 'LIMIT_FILE_SIZE':
      return new CommonError('FILE_TOO_LARGE', 'too_large', `file is larger than the limit of ${HARD_MAX_BYTES} bytes`, { field: 'file', maxBytes: HARD_MAX_BYTES });
    case 'LIMIT_FILE_COUNT':
      return CommonError.badInput('file', 'maxCount', 'one file per request (multipart field "file")');
    case 'LIMIT_UNEXPECTED_FILE':
      return CommonError.badInput(error.field ?? 'file', 'unexpectedFile', `files go in the multipart field "file", not "${error.field ?? ''}"`);
    default:
      return CommonError.badInput(error.field ?? 'multipart', error.code, `the multipart body breaks a limit (${error.message})`);
  }
}

@Injectable()
class OneFileInterceptor implements NestInterceptor {
  private readonly parse = multer({ storage: multer.memoryStorage(), limits: { fileSize: HARD_MAX_BYTES, files: 1, fields: 5 } }).single('file');

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    await new Promise<void>((resolve, reject) => this.parse(http.getRequest(), http.getResponse(), (error?: unknown) => (error ? reject(refusal(error)) : resolve())));
    return next.handle();
  }
}

/** The route takes one uploaded file in the multipart field `file` (read it with `@UploadedFile()`). */
export const OneFileUpload = (): MethodDecorator => applyDecorators(UseInterceptors(OneFileInterceptor));

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
