/**
 * Runs tasks one after another, in the order they were handed in. The store has one writer: every transaction
 * (and every outbox or maintenance write) goes through one of these, so a read-modify-write of the file can never
 * interleave with another and lose its update. A task that fails does not stop the next.
 */
export class OneAtATime {
  #last: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#last.then(task, task);
    this.#last = result.catch(() => undefined);
    return result;
  }
}
