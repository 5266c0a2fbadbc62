/**
 * Input validation at every edge: one ValidationPipe configuration (whitelist, forbid unknown fields,
 * transform) and composite decorators for the recurring types (money in fen, ids, times).
 */
import { applyDecorators, BadRequestException, ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { getMetadataStorage, IsInt, IsISO8601, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { CommonError } from './app-error.js';

export interface FieldProblem {
  field: string;
  /** Rule name → the API's English sentence. */
  rules: Record<string, string>;
  /**
   * The figure of each broken rule that has one (a length, a bound, a count), as a number: a client words
   * the rule in its reader's language from the rule's name and this figure, never by reading the sentence.
   */
  limits?: Record<string, number>;
}

/** Rules whose argument is a figure a person types against. */
const FIGURE_RULES = new Set(['min', 'max', 'minLength', 'maxLength', 'arrayMinSize', 'arrayMaxSize']);

/** The figures of the broken rules of `error`'s property, from the validation metadata of its class. */
function limitsOf(error: ValidationError, rules: Record<string, string>): Record<string, number> | undefined {
  const target = error.target as object | undefined;
  if (!target) return undefined;
  const limits: Record<string, number> = {};
  for (const meta of getMetadataStorage().getTargetValidationMetadatas(target.constructor, '', true, false)) {
    const figure: unknown = meta.constraints?.[0];
    if (meta.propertyName === error.property && meta.name && FIGURE_RULES.has(meta.name) && meta.name in rules && typeof figure === 'number') limits[meta.name] = figure;
  }
  return Object.keys(limits).length > 0 ? limits : undefined;
}

/**
 * One problem per field. A required field that is absent is refused as `isDefined` "is required" alone: its
 * other rules (type, range) would all fail too and say nothing about what is wrong (found by hand: `{}` as a
 * bid was told that the amount must be an integer, at least 1 fen and a safe integer).
 */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const missing = error.value === undefined && error.constraints !== undefined;
    const rules = missing ? { isDefined: `${field} is required` } : error.constraints;
    const limits = rules && !missing ? limitsOf(error, rules) : undefined;
    const own = rules ? [limits ? { field, rules, limits } : { field, rules }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

export function validationError(errors: ValidationError[]): CommonError {
  const fields = flattenValidationErrors(errors);
  const message = fields.map((f) => Object.values(f.rules).join('; ')).join('; ');
  return new CommonError('VALIDATION_FAILED', 'bad_input', message || 'invalid input', { fields });
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']);

/** Deeper than any of our bodies (3 levels) or query strings; a 10 KB body can nest 5000 levels. */
export const MAX_INPUT_DEPTH = 32;

/**
 * Refuses what class-validator lets through but PostgreSQL or the validators choke on: NUL characters,
 * lone UTF-16 surrogates, prototype-named keys (which the transformer would silently drop), and nesting
 * deeper than MAX_INPUT_DEPTH. The 400 names the field. The depth is checked before descending, so the
 * recursion stays shallow whatever the input: a 10 KB body nesting 5000 levels overflowed the stack (500).
 */
export function assertCleanInput(value: unknown, path = '', depth = 0): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw CommonError.badInput(path || 'body', 'noNulCharacters', `${path || 'body'} must not contain NUL characters`);
    if (!value.isWellFormed()) throw CommonError.badInput(path || 'body', 'wellFormedUnicode', `${path || 'body'} must be well-formed Unicode text`);
    return;
  }
  if (!value || typeof value !== 'object' || Buffer.isBuffer(value)) return;
  if (depth >= MAX_INPUT_DEPTH) throw CommonError.badInput(path || 'body', 'maxDepth', `${path || 'body'} nests deeper than ${MAX_INPUT_DEPTH} levels`);
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertCleanInput(v, path ? `${path}.${i}` : String(i), depth + 1));
    return;
  }
  for (const key of Object.keys(value)) {
    const field = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key) || !key.isWellFormed() || key.includes('\u0000')) throw CommonError.badInput(field, 'whitelistValidation', `property ${field} should not exist`);
    assertCleanInput((value as Record<string, unknown>)[key], field, depth + 1);
  }
}

class CleanValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') assertCleanInput(value, metadata.type === 'param' ? (metadata.data ?? '') : '');
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new CleanValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    // The value is kept only to tell an absent field from a wrong one, and the target (the DTO) only to find
    // its rules' figures (flattenValidationErrors); neither is echoed back or logged.
    validationError: { target: true, value: true },
    exceptionFactory: (errors) => validationError(errors),
  });
}

/** Money in fen (分): a safe, non-negative integer. */
export function Fen(options: { optional?: boolean; min?: number; description?: string } = {}): PropertyDecorator {
  const min = options.min ?? 0;
  return applyDecorators(
    ...(options.optional ? [IsOptional(), ApiPropertyOptional({ type: 'integer', minimum: min, description: options.description ?? 'money in fen (分)' })] : [ApiProperty({ type: 'integer', minimum: min, description: options.description ?? 'money in fen (分)' })]),
    IsInt({ message: '$property must be an integer number of fen' }),
    Min(min, { message: `$property must be at least ${min} fen` }),
    Max(Number.MAX_SAFE_INTEGER, { message: '$property must be a safe integer' }),
  );
}

export function Id(options: { optional?: boolean } = {}): PropertyDecorator {
  return applyDecorators(
    ...(options.optional ? [IsOptional(), ApiPropertyOptional({ format: 'uuid' })] : [ApiProperty({ format: 'uuid' })]),
    IsUUID('4', { message: '$property must be a UUID' }),
  );
}

export function Timestamp(options: { optional?: boolean; description?: string } = {}): PropertyDecorator {
  return applyDecorators(
    ...(options.optional ? [IsOptional(), ApiPropertyOptional({ format: 'date-time', description: options.description })] : [ApiProperty({ format: 'date-time', description: options.description })]),
    IsISO8601({ strict: true, strictSeparator: true }, { message: '$property must be an ISO 8601 date-time' }),
  );
}

/**
 * An optional integer in a query string (pages, price filters). Any decimal number is read as a number, so
 * `-1` is told only that it is below the minimum and `1.5` only that it is not an integer (the strings used to
 * stay strings and fail every rule, "must not be greater than …" too); other text stays text and is refused.
 */
export function QueryInt(options: { min: number; max: number; description?: string }): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: options.min, maximum: options.max, description: options.description }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value)),
    IsInt({ message: '$property must be an integer' }),
    Min(options.min, { message: `$property must be at least ${options.min}` }),
    Max(options.max, { message: `$property must be at most ${options.max}` }),
  );
}

export { BadRequestException };
