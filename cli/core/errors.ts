/** Errors a user can cause or fix. Each carries the exit code SPEC.md section 7 gives it. */
export class AppError extends Error {
  readonly exitCode: number = 1;
  readonly code: string = 'error';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad flags or arguments: exit 2. */
export class UsageError extends AppError {
  override readonly exitCode = 2;
  override readonly code = 'usage';
}

/** Missing or malformed settings, all listed at once: exit 3. */
export class ConfigError extends AppError {
  override readonly exitCode = 3;
  override readonly code = 'config';
  constructor(readonly problems: string[]) {
    super(`configuration: ${problems.join('; ')}`);
  }
}

/** exit 4. */
export class NotFoundError extends AppError {
  override readonly exitCode = 4;
  override readonly code = 'not_found';
}

/** A conflict, a transition not allowed, or batch rows rejected: exit 5. */
export class ConflictError extends AppError {
  override readonly exitCode = 5;
  override readonly code: string = 'conflict';
  constructor(message: string, code = 'conflict') {
    super(message);
    this.code = code;
  }
}

/** A service (database, LiveKit, storage) cannot be reached: exit 6. */
export class UnavailableError extends AppError {
  override readonly exitCode = 6;
  override readonly code = 'unavailable';
  constructor(readonly service: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
