import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { CommonError } from './app-error.js';

/** RFC 9562 versions 1–8, plus the nil and max UUIDs: well-formed ids that name nothing here (404, not 400). */
const UUID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|0{8}-0{4}-0{4}-0{4}-0{12}|f{8}-f{4}-f{4}-f{4}-f{12})$/i;

/** Path ids must be UUIDs: a malformed id is a 400 naming the parameter, not a database error. */
@Injectable()
export class UuidPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    const field = metadata.data ?? 'id';
    if (typeof value !== 'string' || !UUID.test(value)) throw CommonError.badInput(field, 'isUuid', `${field} must be a UUID`);
    return value.toLowerCase();
  }
}
