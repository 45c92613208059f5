import { ValidationError, ValidationPipe } from '@nestjs/common';
import { AppException } from './app-exception.js';

interface FieldProblem {
  field: string;
  problems: string[];
}

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * The global pipe: unknown fields are refused (not silently dropped), values are transformed to the DTO's types,
 * and failures become VALIDATION_ERROR with the fields and reasons (never the submitted values).
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      const summary = fields.map((field) => field.problems.join(', ')).join('; ');
      return new AppException('VALIDATION_ERROR', `Validation failed: ${summary}`, { details: { fields } });
    },
  });
}
