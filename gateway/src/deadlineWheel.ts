import { performance } from 'node:perf_hooks';

/**
 * Something with a deadline on the wheel: an upstream attempt (connect, response head,
 * whole exchange), a body being buffered, a retry's backoff. The wheel keeps its own
 * bookkeeping in the two `wheel*` fields, so adding and removing allocate nothing.
 */
export interface Timed {
  /** Absolute due time (ms, performance.now()); set by the wheel. */
  wheelDue: number;
  /** Slot index while on the wheel, -1 otherwise; set by the wheel. */
  wheelSlot: number;
  onDeadline(now: number): void;
}

/**
 * One hashed timer wheel for every deadline of the gateway's requests
 * (docs/decisions/gateway-undici.md): `slots` buckets of `resolutionMs`, one unref'd
 * interval that runs only while something is on the wheel. A request's deadlines cost a
 * Set insertion and a deletion instead of a timer (and an AbortController) each. Deadlines
 * fire up to one resolution late, never early.
 */
export class DeadlineWheel {
  private readonly slots: Set<Timed>[];
  private readonly mask: number;
  private readonly resolutionMs: number;
  /** The last tick processed. */
  private cursor: number;
  private size = 0;
  private timer: NodeJS.Timeout | undefined = undefined;
  private readonly tick = (): void => this.advance();

  constructor(resolutionMs = 10, slots = 1024) {
    if ((slots & (slots - 1)) !== 0) throw new Error('slots must be a power of two');
    this.resolutionMs = resolutionMs;
    this.mask = slots - 1;
    this.slots = Array.from({ length: slots }, () => new Set<Timed>());
    this.cursor = Math.floor(performance.now() / resolutionMs);
  }

  /** Puts `entry` on the wheel `delayMs` from now (moving it if it is already on). */
  add(entry: Timed, delayMs: number): void {
    this.addAt(entry, performance.now() + delayMs);
  }

  /** Puts `entry` on the wheel at absolute time `due` (performance.now() clock). */
  addAt(entry: Timed, due: number): void {
    if (entry.wheelSlot >= 0) this.remove(entry);
    entry.wheelDue = due;
    const tick = Math.max(Math.ceil(due / this.resolutionMs), this.cursor + 1);
    const slot = tick & this.mask;
    (this.slots[slot] as Set<Timed>).add(entry);
    entry.wheelSlot = slot;
    if (this.size++ === 0) {
      this.cursor = Math.max(this.cursor, Math.floor(performance.now() / this.resolutionMs));
      this.timer = setInterval(this.tick, this.resolutionMs);
      this.timer.unref();
    }
  }

  remove(entry: Timed): void {
    const slot = entry.wheelSlot;
    if (slot < 0) return;
    entry.wheelSlot = -1;
    if ((this.slots[slot] as Set<Timed>).delete(entry) && --this.size === 0) this.stop();
  }

  /** Entries on the wheel (tests, metrics). */
  get pending(): number {
    return this.size;
  }

  private advance(): void {
    const now = performance.now();
    const target = Math.floor(now / this.resolutionMs);
    const last = Math.min(target, this.cursor + this.mask + 1);
    for (let tick = this.cursor + 1; tick <= last && this.size > 0; tick++) {
      const slot = this.slots[tick & this.mask] as Set<Timed>;
      for (const entry of slot) {
        if (entry.wheelDue > now) continue; // a later round
        slot.delete(entry);
        entry.wheelSlot = -1;
        if (--this.size === 0) this.stop();
        entry.onDeadline(now);
      }
    }
    this.cursor = target;
  }

  private stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
