/**
 * The relay's sleep between cycles: ends after `ms`, early on `nudge()` when nudgeable
 * (a nudge that arrives while the relay works is remembered for the next wait), and at
 * once on `interrupt()`.
 */
export class Wakeup {
  private nudged = false;
  private interrupted = false;
  private wake: (() => void) | undefined;
  private nudgeable = false;

  nudge(): void {
    this.nudged = true;
    if (this.nudgeable) this.wake?.();
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
