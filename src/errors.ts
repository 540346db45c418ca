// Typed errors, translated once: to HTTP status and error body for the API, to a GOV.UK error
// summary on forms (src/web), to an exit code in the CLI (src/cli).
export interface FieldProblem {
  field: string;
  message: string;
}

export class LevyError extends Error {
  constructor(
    message: string,
    readonly code: 'not_found' | 'validation_failed' | 'conflict' | 'forbidden' | 'unauthorised',
    readonly httpStatus: number,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends LevyError {
  constructor(message: string) {
    super(message, 'not_found', 404, 3);
  }
}

export class ValidationError extends LevyError {
  constructor(
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message, 'validation_failed', 400, 2);
  }
}

export class ConflictError extends LevyError {
  constructor(message: string) {
    super(message, 'conflict', 409, 4);
  }
}

export class ForbiddenError extends LevyError {
  constructor(message = 'You do not have permission to do that') {
    super(message, 'forbidden', 403, 5);
  }
}

export class UnauthorisedError extends LevyError {
  constructor(message = 'Sign in to continue') {
    super(message, 'unauthorised', 401, 5);
  }
}

/** Turns a zod error into field problems ("surname: Enter a surname"). */
export function fieldProblemsFromZod(issues: { path: PropertyKey[]; message: string }[]): FieldProblem[] {
  return issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message }));
}
