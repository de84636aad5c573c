/**
 * Domain failures. Each carries the HTTP status it maps to, so the HTTP layer turns any of them
 * into an RFC 9457 problem without knowing the domain, and nothing a client did becomes a 500.
 */

export interface FieldError {
  /** JSON Pointer (RFC 6901) into the request: `/body/version`, `/query/limit`. */
  pointer: string;
  message: string;
  /** Where in a YAML or JSON text body, when the problem is one of syntax. */
  line?: number;
  column?: number;
}

export class StewardError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = new.target.name;
  }

  get detail(): string {
    return this.message;
  }

  /** The problem `type` URI: a stable slug derived from the title. */
  get type(): string {
    return `https://steward.dev/problems/${this.title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')}`;
  }
}

export class ValidationError extends StewardError {
  constructor(
    detail: string,
    readonly errors: FieldError[],
  ) {
    super(400, 'Invalid request', detail, { errors });
  }
}

export class BadRequestError extends StewardError {
  constructor(detail: string, title = 'Bad request') {
    super(400, title, detail);
  }
}

export class UnauthorizedError extends StewardError {
  constructor(detail: string) {
    super(401, 'Unauthorized', detail);
  }
}

export class ForbiddenError extends StewardError {
  constructor(detail: string) {
    super(403, 'Forbidden', detail);
  }
}

export class NotFoundError extends StewardError {
  constructor(detail: string) {
    super(404, 'Not found', detail);
  }
}

export class MethodNotAllowedError extends StewardError {
  constructor(
    readonly allow: string[],
    path: string,
  ) {
    super(405, 'Method not allowed', `${path} supports ${allow.join(', ')}`, { allow });
  }
}

export class ConflictError extends StewardError {
  constructor(detail: string, extensions: Record<string, unknown> = {}) {
    super(409, 'Conflict', detail, extensions);
  }
}

export class PreconditionFailedError extends StewardError {
  constructor(detail: string, extensions: Record<string, unknown> = {}) {
    super(412, 'Precondition failed', detail, extensions);
  }
}

export class PayloadTooLargeError extends StewardError {
  constructor(detail: string) {
    super(413, 'Payload too large', detail);
  }
}

export class UnsupportedMediaTypeError extends StewardError {
  constructor(detail: string) {
    super(415, 'Unsupported media type', detail);
  }
}
