import { afterEach } from '@jest/globals';
import { TestUpstream } from './testUpstream.ts';

/**
 * What a test starts and must stop: cleanups run after each test, last registered first;
 * `upstreams(n)` starts n test upstreams stopped that way.
 */
export function testResources(): { cleanups: (() => Promise<void> | void)[]; upstreams: (n: number) => Promise<TestUpstream[]> } {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const upstreams = async (n: number): Promise<TestUpstream[]> => {
    const started = await Promise.all(Array.from({ length: n }, () => TestUpstream.start()));
    cleanups.push(() => Promise.all(started.map((u) => u.stop())).then(() => undefined));
    return started;
  };
  return { cleanups, upstreams };
}
