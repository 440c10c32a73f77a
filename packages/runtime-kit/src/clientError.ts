import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { Problem, PROBLEM_CONTENT_TYPE } from './problem.ts';
import { requestIdOf } from './requestId.ts';

/**
 * node:http's `clientError`: requests refused before they reach the app (oversized headers,
 * malformed or smuggling-prone framing, CR/LF in header values, a request not received in
 * time) get a problem+json answer like every other refusal, and the connection is closed.
 * Without it node answers a bare `431` or `400` with no body. Like every other answer it
 * carries an `X-Request-Id` (a new one: the request's own could not be read). Mirrors node's
 * own default otherwise (nothing is written to a reset socket or over an answer already started).
 * `listen` installs it on every service.
 */
export function problemClientError(logger?: Logger): (error: Error & { code?: string }, socket: Duplex) => void {
  return (error, socket) => {
    const inFlight = (socket as { _httpMessage?: ServerResponse | null })._httpMessage;
    if (error.code !== 'ECONNRESET' && socket.writable && (!inFlight || !inFlight.headersSent)) {
      const problem = clientErrorProblem(error.code);
      logger?.debug({ code: error.code, status: problem.status }, 'client error');
      socket.write(rawProblemResponse(problem, requestIdOf(undefined)));
    }
    socket.destroy();
  };
}

export function clientErrorProblem(code: string | undefined): Problem {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new Problem('HEADERS_TOO_LARGE');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new Problem('REQUEST_TIMEOUT', 'The request was not received in time.');
    default:
      return new Problem('MALFORMED_REQUEST', `The request is not valid HTTP/1.1 (${code ?? 'unknown'}).`);
  }
}

/** A problem answer written on a raw socket (node's parser refused the request, or CONNECT), with a request id like every answer. */
export function rawProblemResponse(problem: Problem, requestId: string, extraHeaders = ''): string {
  const body = JSON.stringify(problem.toBody());
  return (
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}\r\n` +
    `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\n` +
    `${extraHeaders}Connection: close\r\n\r\n${body}`
  );
}
