import { describe, expect, it } from '@jest/globals';
import { normalisePath } from '../src/normalisePath.ts';

describe('normalisePath', () => {
  it.each([
    ['/api/v1/orders', '/api/v1/orders', ''],
    ['/api/v1/orders/abc/accept?x=1&y=%2F', '/api/v1/orders/abc/accept', '?x=1&y=%2F'],
    ['//api/v1/orders', '/api/v1/orders', ''],
    ['/api/v1/orders//abc///accept', '/api/v1/orders/abc/accept', ''],
    ['/api/v1/orders/./abc', '/api/v1/orders/abc', ''],
    ['/api/v1/orders/../../admin', '/api/admin', ''],
    ['/api/v1/orders/%2e%2e/%2E%2E/admin', '/api/admin', ''],
    ['/api/v1/orders/.%2e/dispatches', '/api/v1/dispatches', ''],
    ['/api/v1/orders/..', '/api/v1/', ''],
    ['/api/v1/orders/', '/api/v1/orders/', ''],
    ['/api/v1/orders/a%2eb', '/api/v1/orders/a.b', ''],
    ['http://example.com/api/v1/orders/x?q', '/api/v1/orders/x', '?q'],
  ])('%s → %s', (input, path, search) => {
    expect(normalisePath(input)).toEqual({ path, search });
  });

  it.each([
    '/api/v1/orders/..%2f..%2fadmin',
    '/api/v1/orders/%2F..',
    '/api/v1/orders/%5c..%5cadmin',
    '/api/v1/orders/%252e%252e/admin',
    '/api/v1/orders\\..\\admin',
    '/api/v1/orders/%00',
    '/api/v1/orders/\u0001',
    '/../../etc/passwd',
    '/api/%2e%2e/%2e%2e/%2e%2e/x',
    '/api/v1/orders#fragment',
    'api/v1/orders',
    '*',
  ])('refuses %j', (input) => {
    expect(normalisePath(input)).toBeUndefined();
  });
});
