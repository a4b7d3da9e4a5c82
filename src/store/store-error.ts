import { NightshiftError } from '../core/errors.js';

/** Stable codes for every failure the store raises on purpose. */
export type StoreErrorCode =
  | 'STORE_OPEN_FAILED'
  | 'STORE_WRITE_FAILED'
  | 'STORE_BROKEN'
  | 'STORE_CLOSED'
  | 'STORE_INVALID_CONVERSATION';

/** A failure of the output file; `path` says which file, the message says what to do. */
export class StoreError extends NightshiftError {
  constructor(
    override readonly code: StoreErrorCode,
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'StoreError';
  }
}

/** `ENOSPC: no space left on device` style text for a caught filesystem error. */
export function describeFileError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code !== undefined && !error.message.startsWith(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
