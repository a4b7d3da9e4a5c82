import { NightshiftError } from '../core/errors.js';

/** Export failures the user can fix (missing input, unwritable output, options that contradict); the CLI exits with 2. */
export class ExportError extends NightshiftError {
  constructor(code: 'EXPORT_INPUT_UNREADABLE' | 'EXPORT_OUTPUT_UNWRITABLE' | 'EXPORT_INVALID_OPTIONS', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ExportError';
  }
}
