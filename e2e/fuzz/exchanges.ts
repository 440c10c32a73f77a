import { existsSync, readFileSync } from 'node:fs';

/** One request of a fuzz run and its answer, as e2e/fuzz/fuzz_hooks.py (or the GraphQL fuzzer) logged it. */
export interface Exchange {
  /** Which fuzz target sent it (e.g. `gateway/order`, `read-model/rest`, `graphql`). */
  target: string;
  /** The operation, e.g. `POST /api/v1/orders/{orderId}/accept`. */
  operation: string;
  method: string;
  /** Path and query of the request. */
  path: string;
  status: number;
  contentType: string | null;
  /** The request id the service answered with (X-Request-Id): outbox rows carry it. */
  requestId: string | null;
  idempotencyKey: string | null;
  /** Whether the generator meant the request to be invalid. */
  negative: boolean;
  /** The start of the answer's body. */
  body: string;
}

/** A line of the hooks' log: an exchange with its full URL, before the target is known. */
type LoggedLine = Omit<Exchange, 'target' | 'path'> & { url: string };

/** The exchanges a schemathesis run logged to `file` (one JSON object a line). */
export function readExchangeLog(file: string, target: string): Exchange[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const logged = JSON.parse(line) as LoggedLine;
      const url = new URL(logged.url);
      return {
        target,
        operation: logged.operation,
        method: logged.method,
        path: `${url.pathname}${url.search}`,
        status: logged.status,
        contentType: logged.contentType,
        requestId: logged.requestId,
        idempotencyKey: logged.idempotencyKey,
        negative: logged.negative,
        body: logged.body,
      };
    });
}

/** Counts of answers by status class, e.g. `{ '2xx': 10, '4xx': 90 }`. */
export function statusClasses(exchanges: readonly Exchange[]): Record<string, number> {
  const classes: Record<string, number> = {};
  for (const e of exchanges) {
    const name = `${Math.floor(e.status / 100)}xx`;
    classes[name] = (classes[name] ?? 0) + 1;
  }
  return classes;
}
