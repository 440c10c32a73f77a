import type { IncomingHttpHeaders } from 'node:http';
import type { ActiveRoute } from './routeSet.ts';

/**
 * The route's body limit, in one place: a declared Content-Length (before anything is read
 * or forwarded, and before `100 Continue`), a body being buffered for retries, and a chunked
 * body streamed upstream are all judged here.
 */
export const bodyLimit = {
  /** The declared length is over the route's limit. */
  declaredOver(headers: IncomingHttpHeaders, route: ActiveRoute): boolean {
    const declared = headers['content-length'];
    return declared !== undefined && Number(declared) > route.spec.bodyLimit;
  },

  /** `bytes` received so far are over the route's limit. */
  over(bytes: number, route: ActiveRoute): boolean {
    return bytes > route.spec.bodyLimit;
  },
};
