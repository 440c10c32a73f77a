import { describe, expect, it } from '@jest/globals';
import { Wakeup } from '../src/outbox/wakeup.ts';

const elapsed = async (run: () => Promise<void>) => {
  const started = performance.now();
  await run();
  return performance.now() - started;
};

describe('relay wakeup', () => {
  it('sleeps for the interval when nothing happens', async () => {
    expect(await elapsed(() => new Wakeup().wait(80, true))).toBeGreaterThanOrEqual(70);
  });
  it('wakes early on a nudge while nudgeable', async () => {
    const wakeup = new Wakeup();
    setTimeout(() => wakeup.nudge(), 10);
    expect(await elapsed(() => wakeup.wait(5000, true))).toBeLessThan(2000);
  });
  it('remembers a nudge that came while the relay was busy', async () => {
    const wakeup = new Wakeup();
    wakeup.nudge();
    expect(await elapsed(() => wakeup.wait(5000, true))).toBeLessThan(1000);
  });
  it('ignores nudges while backing off', async () => {
    const wakeup = new Wakeup();
    setTimeout(() => wakeup.nudge(), 10);
    expect(await elapsed(() => wakeup.wait(150, false))).toBeGreaterThanOrEqual(140);
  });
  it('wakes at once and stays awake after an interrupt', async () => {
    const wakeup = new Wakeup();
    setTimeout(() => wakeup.interrupt(), 10);
    expect(await elapsed(() => wakeup.wait(5000, false))).toBeLessThan(2000);
    expect(await elapsed(() => wakeup.wait(5000, false))).toBeLessThan(1000);
  });
});
