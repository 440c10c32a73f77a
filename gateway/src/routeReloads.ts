import { readFile } from 'node:fs/promises';
import type { Counter, Logger } from '@delivery/runtime-kit';
import { RouteFileError } from './routeFile.ts';

/** What a reload is asked for. */
export interface ReloadOptions {
  /**
   * Only when the file's content differs from the last content tried (applied or refused):
   * what a file watcher asks, since it hears about every change in the file's directory.
   * Without it (SIGHUP, `reload()`), the file is applied even when unchanged.
   */
  ifChanged?: boolean;
}

/** The route file's text; a file that cannot be read is a refused reload (or start). */
export async function readRouteText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new RouteFileError(file, [`cannot read it (${(error as Error).message})`]);
  }
}

/**
 * The reloads of one gateway: reads the route file, hands its text to `apply` (which swaps
 * the table in and returns its description, or throws to refuse it), counts the result in
 * `gateway_route_reloads_total` and logs it. Reloads run one at a time, in order. In a
 * gateway with worker threads this runs in the main thread only, and `apply` hands the
 * same text to every worker: one read, one count and one log line per reload.
 */
export class RouteReloads {
  private readonly file: string;
  private readonly apply: (text: string) => Promise<object[]> | object[];
  private readonly counter: Counter<'result'>;
  private readonly logger: Logger;
  /** The text last tried, or why the file could not be read then. */
  private last: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(deps: {
    file: string;
    /** The text the current routes were built from. */
    text: string;
    apply: (text: string) => Promise<object[]> | object[];
    counter: Counter<'result'>;
    logger: Logger;
  }) {
    this.file = deps.file;
    this.last = deps.text;
    this.apply = deps.apply;
    this.counter = deps.counter;
    this.logger = deps.logger;
  }

  /**
   * Resolves true once the file is applied, false when `ifChanged` found it unchanged;
   * rejects with the reason when it is refused (the current routes stay).
   */
  reload(options: ReloadOptions = {}): Promise<boolean> {
    const next = this.queue.catch(() => undefined).then(() => this.reloadOnce(options));
    this.queue = next;
    return next;
  }

  private async reloadOnce(options: ReloadOptions): Promise<boolean> {
    const { file, logger } = this;
    let text: string | undefined;
    let seen: string;
    let failure: unknown;
    try {
      text = await readRouteText(file);
      seen = text;
    } catch (error) {
      failure = error;
      seen = `\0unreadable: ${(error as Error).message}`;
    }
    if (options.ifChanged && seen === this.last) {
      logger.debug({ file }, 'route file unchanged; not reloaded');
      return false;
    }
    this.last = seen;
    try {
      if (text === undefined) throw failure;
      const routes = await this.apply(text);
      this.counter.inc({ result: 'applied' });
      logger.info({ file, routes }, 'routes reloaded');
      return true;
    } catch (error) {
      this.counter.inc({ result: 'refused' });
      logger.error({ err: error, file }, 'route reload refused; keeping the current routes');
      throw error;
    }
  }
}
