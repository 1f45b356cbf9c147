// A FIFO async mutex: SQLite work is synchronous per statement, but transactions span awaits.
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs fn after every earlier caller has finished; errors propagate to this caller only. */
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
