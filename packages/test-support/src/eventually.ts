import { waitFor } from '@delivery/infra';

export interface PollOptions {
  /** How long to keep asking: a guard against hangs, not a performance assertion (20 s). */
  timeoutMs?: number;
  /** Pause between two probes (50 ms). */
  intervalMs?: number;
  /** What is awaited, for the timeout error; a function is called only then. */
  what?: string | (() => string);
}

/** What a probe yields once it is satisfied: anything but `undefined` and `false`. */
export type Reached<R> = Exclude<Awaited<R>, undefined | false>;

/**
 * The one poll-until of the tests and benchmarks: asks `probe` until it returns something
 * other than `undefined` or `false` and returns that, so both a condition
 * (`() => relay.state === 'leader'`) and a lookup (`() => dead.find(...)`) can be awaited.
 * A probe that throws counts as "not yet"; its last error is named if the time runs out.
 * The loop itself is infra's `waitFor` (which `npm start`/`npm stop` use as well).
 * `options` as a number is the timeout.
 */
export async function eventually<R>(probe: () => R, options: PollOptions | number = {}): Promise<Reached<R>> {
  const { timeoutMs = 20_000, intervalMs = 50, what = 'the condition' } = typeof options === 'number' ? { timeoutMs: options } : options;
  let value: Awaited<R> | undefined;
  let lastError: unknown;
  const reached = await waitFor(
    async () => {
      try {
        value = await probe();
        return value !== undefined && value !== false;
      } catch (error) {
        lastError = error;
        return false;
      }
    },
    timeoutMs,
    intervalMs,
  );
  if (reached) return value as Reached<R>;
  const cause = lastError === undefined ? '' : ` (last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)})`;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}${cause}`);
}
