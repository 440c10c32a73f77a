/**
 * The relay's sleep between cycles: ends after `ms`, early on `nudge()` when nudgeable
 * (`lingerMs` after the first nudge of the wait, so that commits close together share a
 * cycle; a nudge that arrives while the relay works is remembered and the next wait ends at
 * once), and at once on `interrupt()`.
 */
export class Wakeup {
  private nudged = false;
  private interrupted = false;
  private wake: (() => void) | undefined;
  private nudgeable = false;
  private lingering: NodeJS.Timeout | undefined;
  private readonly lingerMs: number;

  constructor(lingerMs = 0) {
    this.lingerMs = lingerMs;
  }

  nudge(): void {
    this.nudged = true;
    if (!this.nudgeable || this.wake === undefined) return;
    if (this.lingerMs <= 0) this.wake();
    else this.lingering ??= setTimeout(() => this.wake?.(), this.lingerMs);
  }

  interrupt(): void {
    this.interrupted = true;
    this.wake?.();
  }

  wait(ms: number, nudgeable: boolean): Promise<void> {
    if (this.interrupted || (nudgeable && this.nudged)) {
      this.nudged = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        clearTimeout(this.lingering);
        this.lingering = undefined;
        this.wake = undefined;
        this.nudged = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
      this.nudgeable = nudgeable;
    });
  }
}
