/** Thrown at once when a bulkhead's slots and queue are all taken. */
export class BulkheadFull extends Error {
  constructor(name: string, concurrency: number, queue: number) {
    super(`${name}: ${concurrency} calls in flight and ${queue} waiting`);
    this.name = 'BulkheadFull';
  }
}

/**
 * At most `concurrency` tasks at once; up to `queue` more wait in order for a slot, any
 * further one is refused at once. Keeps one slow dependency from holding every request
 * (and every socket) of the process.
 */
export class Bulkhead {
  readonly #name: string;
  readonly #concurrency: number;
  readonly #queue: number;
  readonly #waiting: (() => void)[] = [];
  #active = 0;

  constructor(name: string, settings: { concurrency: number; queue: number }) {
    this.#name = name;
    this.#concurrency = settings.concurrency;
    this.#queue = settings.queue;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#concurrency) {
      if (this.#waiting.length >= this.#queue) throw new BulkheadFull(this.#name, this.#concurrency, this.#queue);
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#active++;
    }
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    }
  }
}
