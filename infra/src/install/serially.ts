/**
 * Wraps an async function so that calls run one after another: apt (dpkg's lock) and
 * Maven (one local repository) must not run twice at once when components install in parallel.
 */
export function serially<A extends unknown[], R>(task: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  let tail: Promise<unknown> = Promise.resolve();
  return (...args: A) => {
    const result = tail.then(() => task(...args));
    tail = result.catch(() => {});
    return result;
  };
}
