import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Wakeup } from '../src/outbox/wakeup.ts';

/** Follows a wait the way the relay's loop does: has it ended yet? */
const watch = (wait: Promise<void>) => {
  const state = { ended: false };
  void wait.then(() => {
    state.ended = true;
  });
  return state;
};

// Fake timers: the clock moves only when a test moves it, so every bound below is exact.
describe('relay wakeup', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('sleeps for the whole interval when nothing happens', async () => {
    const wait = watch(new Wakeup().wait(80, true));
    await jest.advanceTimersByTimeAsync(79);
    expect(wait.ended).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(wait.ended).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });
  it('wakes early on a nudge while nudgeable', async () => {
    const wakeup = new Wakeup();
    const wait = watch(wakeup.wait(5000, true));
    await jest.advanceTimersByTimeAsync(10);
    expect(wait.ended).toBe(false);
    wakeup.nudge();
    await jest.advanceTimersByTimeAsync(0);
    expect(wait.ended).toBe(true);
    expect(jest.getTimerCount()).toBe(0); // the interval's timer is cleared, not left to fire later
  });
  it('with a linger, wakes that long after the first nudge of the wait, however many follow', async () => {
    const wakeup = new Wakeup(10);
    const wait = watch(wakeup.wait(5000, true));
    await jest.advanceTimersByTimeAsync(100);
    wakeup.nudge();
    await jest.advanceTimersByTimeAsync(6);
    wakeup.nudge(); // a later commit joins the same cycle, it does not push it back
    await jest.advanceTimersByTimeAsync(3);
    expect(wait.ended).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(wait.ended).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
    // A nudge remembered from the busy time ends the next wait at once: that cycle already waited.
    wakeup.nudge();
    const next = watch(wakeup.wait(5000, true));
    await jest.advanceTimersByTimeAsync(0);
    expect(next.ended).toBe(true);
  });
  it('remembers a nudge that came while the relay was busy, for one wait', async () => {
    const wakeup = new Wakeup();
    wakeup.nudge();
    const first = watch(wakeup.wait(5000, true));
    await jest.advanceTimersByTimeAsync(0);
    expect(first.ended).toBe(true);
    const second = watch(wakeup.wait(5000, true));
    await jest.advanceTimersByTimeAsync(4999);
    expect(second.ended).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(second.ended).toBe(true);
  });
  it('ignores nudges while backing off', async () => {
    const wakeup = new Wakeup();
    const wait = watch(wakeup.wait(150, false));
    await jest.advanceTimersByTimeAsync(10);
    wakeup.nudge();
    await jest.advanceTimersByTimeAsync(139);
    expect(wait.ended).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(wait.ended).toBe(true);
  });
  it('wakes at once and stays awake after an interrupt', async () => {
    const wakeup = new Wakeup();
    const wait = watch(wakeup.wait(5000, false));
    await jest.advanceTimersByTimeAsync(10);
    expect(wait.ended).toBe(false);
    wakeup.interrupt();
    await jest.advanceTimersByTimeAsync(0);
    expect(wait.ended).toBe(true);
    const next = watch(wakeup.wait(5000, false));
    await jest.advanceTimersByTimeAsync(0);
    expect(next.ended).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });
});
