import { describe, expect, it } from '@jest/globals';
import type { IncomingHttpHeaders } from 'node:http';
import { downstreamHeaders, prepareUpstreamHeaders } from '../src/forwardedHeaders.ts';

describe('prepareUpstreamHeaders', () => {
  it('drops hop-by-hop headers and those Connection names, keeps end-to-end ones, sets X-Forwarded-*', () => {
    const headers: IncomingHttpHeaders = {
      host: 'gateway.example:8080',
      connection: 'keep-alive, X-Private, Content-Length',
      'x-private': 'secret',
      'keep-alive': 'timeout=5',
      'proxy-authorization': 'Basic x',
      te: 'trailers',
      trailer: 'x-checksum',
      upgrade: 'websocket',
      'transfer-encoding': 'chunked',
      expect: '100-continue',
      'content-length': '12',
      'content-type': 'application/json',
      'x-forwarded-for': '203.0.113.7',
      'idempotency-key': 'k-1',
    };
    prepareUpstreamHeaders(headers, 'req-1', '10.0.0.2', 'http');
    expect(headers).toEqual({
      host: 'gateway.example:8080',
      'content-length': '12',
      'content-type': 'application/json',
      'idempotency-key': 'k-1',
      'x-request-id': 'req-1',
      'x-forwarded-for': '203.0.113.7, 10.0.0.2',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'gateway.example:8080',
    });
  });

  it('keeps an Idempotency-Key the client named in Connection: a Connection header never makes a command unsafe to retry', () => {
    const headers: IncomingHttpHeaders = {
      host: 'gw',
      connection: 'keep-alive, Idempotency-Key, X-Request-Id',
      'idempotency-key': 'k',
      'x-request-id': 'kept',
    };
    prepareUpstreamHeaders(headers, 'kept', undefined, 'http');
    expect(headers['idempotency-key']).toBe('k');
    expect(headers['x-request-id']).toBe('kept');
  });
});

describe('downstreamHeaders', () => {
  it('keeps the upstream headers in order and case, minus hop-by-hop, with the gateway request id', () => {
    const raw = [
      'Content-Type', 'application/json',
      'Set-Cookie', 'a=1',
      'Set-Cookie', 'b=2',
      'Connection', 'keep-alive, X-Internal',
      'Keep-Alive', 'timeout=5',
      'X-Internal', 'debug',
      'Transfer-Encoding', 'chunked',
      'X-Request-Id', 'upstream-made-up',
      'ETag', '"v3"',
    ];
    expect(downstreamHeaders(raw, 'keep-alive, X-Internal', 'req-1')).toEqual([
      'Content-Type', 'application/json',
      'Set-Cookie', 'a=1',
      'Set-Cookie', 'b=2',
      'ETag', '"v3"',
      'X-Request-Id', 'req-1',
    ]);
  });
});
