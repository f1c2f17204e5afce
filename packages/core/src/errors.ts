/**
 * What went wrong, in a form the CLI can turn into an exit code.
 *
 * - `usage`, `input`, `config`, `plugin-not-installed`, `plugin-invalid`, `model`:
 *   the user can fix it (exit code 2).
 * - `plugin-load-failed`, `backend`, `runtime`: something broke while running (exit code 1).
 */
export type ImdadErrorKind =
  | 'usage'
  | 'input'
  | 'config'
  | 'model'
  | 'plugin-not-installed'
  | 'plugin-invalid'
  | 'plugin-load-failed'
  | 'backend'
  | 'runtime';

const USER_ERROR_KINDS: ReadonlySet<ImdadErrorKind> = new Set([
  'usage',
  'input',
  'config',
  'model',
  'plugin-not-installed',
  'plugin-invalid',
]);

/** The one error class of `@imdad/core`: a one-line message that says what was wrong and what to do. */
export class ImdadError extends Error {
  /** Always `ImdadError`; lets `ImdadError.is` recognise errors from other copies of the package. */
  override readonly name = 'ImdadError';

  constructor(
    /** What went wrong, by category; the CLI maps it to an exit code. */
    readonly kind: ImdadErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True for any ImdadError, also one thrown by another copy of this package. */
  static is(value: unknown, kind?: ImdadErrorKind): value is ImdadError {
    return (
      value instanceof Error &&
      value.name === 'ImdadError' &&
      typeof (value as ImdadError).kind === 'string' &&
      (kind === undefined || (value as ImdadError).kind === kind)
    );
  }

  /** 2 for mistakes the user can fix (bad flag, file, option), 1 for failures while running. */
  static exitCode(value: unknown): 1 | 2 {
    return ImdadError.is(value) && USER_ERROR_KINDS.has(value.kind) ? 2 : 1;
  }
}
