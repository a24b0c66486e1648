import type { Colours } from "./colours.js";

export interface WritableLike {
  write(chunk: string): unknown;
  isTTY?: boolean | undefined;
  /** A terminal's width, when it has one. */
  columns?: number | undefined;
}

/**
 * Where a command's results go: stdout carries the result only (a table, or JSON with --json), so it can be piped;
 * prompts, progress and errors go to stderr.
 */
export class Output {
  #progressShown = false;

  constructor(
    readonly json: boolean,
    readonly colours: Colours,
    private readonly stdout: WritableLike,
    private readonly stderr: WritableLike,
  ) {}

  /** The command's result: `value` as JSON with --json, else the human rendering. */
  result(value: unknown, human: () => string): void {
    // Both streams usually share one terminal: the progress line goes before the result takes its place.
    this.clearProgress();
    this.stdout.write(this.json ? `${JSON.stringify(value, null, 2)}\n` : human());
  }

  /** A human line on stdout that --json suppresses (the JSON carries the same facts). */
  say(text: string): void {
    this.clearProgress();
    if (!this.json) this.stdout.write(`${text}\n`);
  }

  /** A note for the operator, on stderr so that it never pollutes piped output. */
  note(text: string): void {
    this.clearProgress();
    this.stderr.write(`${text}\n`);
  }

  /**
   * Progress of a long run, redrawn in place (`\r`, erase the line): only on a terminal, where nobody parses it, and
   * cut to the terminal's width, since erasing the line cannot reach back over a wrapped one.
   */
  progress(text: string): void {
    if (this.stderr.isTTY !== true) return;
    const width = this.stderr.columns ?? 80;
    const line = text.length < width ? text : `${text.slice(0, Math.max(0, width - 2))}…`;
    this.stderr.write(`\r\u001b[2K${this.colours.dim(line)}`);
    this.#progressShown = true;
  }

  clearProgress(): void {
    if (!this.#progressShown) return;
    this.stderr.write("\r\u001b[2K");
    this.#progressShown = false;
  }

  error(text: string): void {
    this.clearProgress();
    this.stderr.write(`${text}\n`);
  }
}
