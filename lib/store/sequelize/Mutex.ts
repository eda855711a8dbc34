/** Runs async work one piece at a time, in call order. A failure does not block what follows. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  /**
   * @example
   * const mutex = new Mutex();
   * await Promise.all([mutex.run(a), mutex.run(b)]); // b starts after a settles
   */
  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
