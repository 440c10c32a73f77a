import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '@delivery/runtime-kit';

/** Quiet time after the last change in the directory before the file is read. */
export const ROUTE_WATCH_DEBOUNCE_MS = 200;
/** Changes that never stop (a writer every 100 ms) still get the file read this often. */
const MAX_WAIT_MS = 2000;

export interface RouteWatch {
  close(): void;
}

/**
 * Calls `changed` once things have settled after any change in the route file's
 * directory. The directory, not the file: editors and `mv` replace the file (a watch on the
 * old inode would go deaf), and a Kubernetes ConfigMap volume swaps its `..data` symlink to
 * a new directory while `routes.yaml -> ..data/routes.yaml` itself never changes. Events
 * are only a hint: `changed` reads the file and compares its content (RouteReloads with
 * `ifChanged`), so unrelated files in the directory cost one read each, nothing more.
 */
export function watchRouteFile(file: string, changed: () => void, logger: Logger, debounceMs = ROUTE_WATCH_DEBOUNCE_MS): RouteWatch {
  const directory = dirname(file);
  let timer: NodeJS.Timeout | undefined;
  let firstChange = 0;
  let closed = false;
  const fire = () => {
    timer = undefined;
    if (!closed) changed();
  };
  const onEvent = () => {
    if (closed) return;
    const now = Date.now();
    if (timer === undefined) firstChange = now;
    else clearTimeout(timer);
    timer = setTimeout(fire, now - firstChange >= MAX_WAIT_MS ? 0 : debounceMs);
  };
  let watcher: FSWatcher | undefined;
  try {
    // Not persistent: the watch alone keeps no process alive (the servers do).
    watcher = watch(directory, { persistent: false }, onEvent);
    watcher.on('error', (error) => {
      logger.warn({ err: error, directory }, 'route file watch failed; SIGHUP still reloads');
      watcher?.close();
    });
    logger.debug({ directory }, 'watching the route file directory');
  } catch (error) {
    logger.warn({ err: error, directory }, 'cannot watch the route file directory; SIGHUP still reloads');
  }
  return {
    close: () => {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
