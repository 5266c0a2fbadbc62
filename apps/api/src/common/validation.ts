/**
 * Input validation at every edge: one ValidationPipe configuration (whitelist, forbid unknown fields,
 * transform) and composite decorators for the recurring types (money in fen, ids, times).
 */
import { applyDecorators, BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { CommonError } from './app-error.js';

export interface FieldProblem {
  field: string;
  rules: Record<string, string>;
}

export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, rules: error.constraints }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

export function validationError(errors: ValidationError[]): CommonError {
  const fields = flattenValidationErrors(errors);
  const message = fields.map((f) => Object.values(f.rules).join('; ')).join('; ');
  return new CommonError('VALIDATION_FAILED', 'bad_input', message || 'invalid input', { fields });
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
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

export { BadRequestException };
