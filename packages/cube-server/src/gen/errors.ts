/**
 * The one error type of cube generation: its message names the file (recipe or input) and says what is wrong
 * and what to do, so that the CLI can print it as it is.
 */
export class CubeGenError extends Error {
  /** The file the problem is in (a recipe or an input), when there is one. */
  readonly file: string | undefined;

  constructor(message: string, file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'CubeGenError';
    this.file = file;
  }
}

/** Thrown when the caller's AbortSignal fires (Ctrl-C in the CLI); the partial cube has been removed by then. */
export class CubeGenAborted extends CubeGenError {
  constructor() {
    super('interrupted; the partial cube was removed');
    this.name = 'CubeGenAborted';
  }
}
