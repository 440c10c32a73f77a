import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Problem, PROBLEM_CONTENT_TYPE, requestIdOf, type Logger } from '@delivery/runtime-kit';

/**
 * Requests node:http refuses before they reach the gateway's handler (malformed or
 * smuggling-prone framing, CR/LF in header values, oversized headers, a request not received
 * within the server's timeouts) get a problem+json answer, like every other error, and the
 * connection is closed. Mirrors node's own `clientError` default otherwise.
 */
export function clientErrorHandler(logger: Logger): (error: Error & { code?: string }, socket: Duplex) => void {
  return (error, socket) => {
    const inFlight = (socket as { _httpMessage?: ServerResponse | null })._httpMessage;
    if (error.code !== 'ECONNRESET' && socket.writable && (!inFlight || !inFlight.headersSent)) {
      const problem = problemFor(error.code);
      logger.debug({ code: error.code, status: problem.status }, 'client error');
      socket.write(rawProblemResponse(problem, requestIdOf(undefined)));
    }
    socket.destroy();
  };
}

function problemFor(code: string | undefined): Problem {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new Problem('HEADERS_TOO_LARGE');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new Problem('REQUEST_TIMEOUT', 'The request was not received in time.');
    default:
      return new Problem('MALFORMED_REQUEST', `The request is not valid HTTP/1.1 (${code ?? 'unknown'}).`);
  }
}

/** A problem answer written on a raw socket (node's parser refused the request), with a request id like every answer. */
export function rawProblemResponse(problem: Problem, requestId: string, extraHeaders = ''): string {
  const body = JSON.stringify(problem.toBody());
  return (
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}\r\n` +
    `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\n` +
    `${extraHeaders}Connection: close\r\n\r\n${body}`
  );
}
