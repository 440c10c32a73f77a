import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { DEFAULT_ROUTES_FILE } from '../src/gatewayConfig.ts';
import { BUILT_IN_DEFAULTS, DEFAULT_RATE_LIMIT, parseRouteFile } from '../src/routeFile.ts';
import { oneRouteYaml } from './support/testGateway.ts';

const minimal = oneRouteYaml;

const parse = (text: string, env: Record<string, string> = {}) => parseRouteFile(text, 'routes.yaml', env);

describe('the route file', () => {
  it('ships with the three command routes, every one on the built-in defaults', async () => {
    const file = parse(await readFile(DEFAULT_ROUTES_FILE, 'utf8'));
    expect(file.routes.map((r) => [r.name, r.path, r.upstream.name, r.upstream.urls])).toEqual([
      ['orders', '/api/v1/orders/**', 'order', ['http://127.0.0.1:8081']],
      ['dispatches', '/api/v1/dispatches/**', 'dispatch', ['http://127.0.0.1:8082']],
      ['deliveries', '/api/v1/deliveries/**', 'delivery', ['http://127.0.0.1:8083']],
    ]);
    for (const route of file.routes) {
      const { name: _n, path: _p, upstream: _u, ...settings } = route;
      expect(settings).toEqual(BUILT_IN_DEFAULTS);
    }
    expect(file.clientAddress).toEqual({ trustedProxies: 0, ipv6PrefixLength: 64 });
  });

  it('limits every route by default, and lets a route change its limit field by field or turn it off', () => {
    const { routes, clientAddress } = parse(
      minimal(
        '    rateLimit: { burst: 10 }\n  - { name: quiet, path: /api/v1/quiet/**, upstream: order, rateLimit: false }\n  - { name: plain, path: /api/v1/plain/**, upstream: order }',
        'clientAddress: { trustedProxies: 2 }\ndefaults:\n  rateLimit: { rate: 5 }',
      ),
    );
    expect(routes.map((r) => [r.name, r.rateLimit])).toEqual([
      ['orders', { rate: 5, burst: 10 }],
      ['quiet', false],
      ['plain', { rate: 5, burst: DEFAULT_RATE_LIMIT.burst }],
    ]);
    expect(clientAddress).toEqual({ trustedProxies: 2, ipv6PrefixLength: 64 });
    // A route limited again under defaults without a limit starts from the built-in values.
    const [route] = parse(minimal('    rateLimit: { rate: 1 }', 'defaults:\n  rateLimit: false')).routes;
    expect(route?.rateLimit).toEqual({ rate: 1, burst: DEFAULT_RATE_LIMIT.burst });
  });

  it('merges route settings over defaults over built-ins, field by field', () => {
    const [route] = parse(
      minimal(
        '    responseTimeoutMs: 700\n    bodyLimit: 64kb\n    retry: { retries: 0 }',
        'defaults:\n  breaker: { volumeThreshold: 3 }\n  connectTimeoutMs: 250',
      ),
    ).routes;
    expect(route).toMatchObject({
      responseTimeoutMs: 700,
      connectTimeoutMs: 250,
      bodyLimit: 64 * 1024,
      retry: { ...BUILT_IN_DEFAULTS.retry, retries: 0 },
      breaker: { ...BUILT_IN_DEFAULTS.breaker, volumeThreshold: 3 },
    });
  });

  it('takes upstream urls from <NAME>_URL, several instances comma-separated', () => {
    const { upstreams } = parse(minimal(''), { ORDER_URL: 'http://10.0.0.1:9000, http://10.0.0.2:9000' });
    expect(upstreams[0]).toMatchObject({ urls: ['http://10.0.0.1:9000', 'http://10.0.0.2:9000'], source: 'ORDER_URL' });
  });

  it.each([
    ['a timeout of the wrong type', minimal('    responseTimeoutMs: soon'), /route "orders" \(routes\[0\]\) field responseTimeoutMs: .*number/],
    ['a misspelt field', minimal('    responseTimeout: 500'), /route "orders" \(routes\[0\]\) field responseTimeout: unknown field/],
    ['an unknown upstream', minimal('  - { name: extra, path: /x/**, upstream: nowhere }'), /route "extra" \(routes\[1\]\) field upstream: unknown upstream "nowhere"/],
    ['a breaker that opens on the first failure', minimal('    breaker: { volumeThreshold: 0 }'), /route "orders" \(routes\[0\]\) field breaker.volumeThreshold/],
    ['a query method', minimal('    methods: [GET]'), /route "orders" \(routes\[0\]\) field methods.0/],
    ['a bad body limit', minimal('    bodyLimit: huge'), /route "orders" \(routes\[0\]\) field bodyLimit/],
    ['a pattern with .. in it', minimal('  - { name: up, path: /api/../admin, upstream: order }'), /route "up" \(routes\[1\]\) field path/],
    ['** in the middle', minimal('  - { name: mid, path: /api/**/x, upstream: order }'), /route "mid" \(routes\[1\]\) field path: \*\* is allowed only as the last segment/],
    ['a duplicate path', minimal('  - { name: again, path: /api/v1/orders/**, upstream: order }'), /route "again" \(routes\[1\]\) field path: .* already used by route "orders"/],
    ['a url with a path', minimal('').replace('http://127.0.0.1:8081', 'http://127.0.0.1:8081/base'), /upstream "order" field url: .*must be an origin/],
    ['a YAML syntax error', minimal('    bodyLimit: [1'), /YAML: /],
    ['a duplicate key', minimal('    bodyLimit: 1kb\n    bodyLimit: 2kb'), /YAML: .*[Uu]nique/],
    ['a rate of 0', minimal('    rateLimit: { rate: 0 }'), /route "orders" \(routes\[0\]\) field rateLimit\.rate: Too small: expected number to be >0/],
    ['a fractional burst', minimal('    rateLimit: { burst: 2.5 }'), /route "orders" \(routes\[0\]\) field rateLimit\.burst: .*integer/],
    ['a misspelt rate-limit field', minimal('    rateLimit: { burts: 5 }'), /route "orders" \(routes\[0\]\) field rateLimit\.burts: unknown field/],
    ['rateLimit: true', minimal('    rateLimit: true'), /route "orders" \(routes\[0\]\) field rateLimit: expected false \(no limit\) or \{ rate, burst \}/],
    ['a default burst of 0', minimal('', 'defaults:\n  rateLimit: { burst: 0 }'), /defaults field rateLimit\.burst: Too small/],
    ['a negative proxy count', minimal('', 'clientAddress: { trustedProxies: -1 }'), /clientAddress field trustedProxies: Too small/],
    ['an IPv6 prefix longer than /64', minimal('', 'clientAddress: { ipv6PrefixLength: 128 }'), /clientAddress field ipv6PrefixLength: Too big/],
  ])('refuses %s, naming the route and field', (_case, text, message) => {
    expect(() => parse(text)).toThrow(message);
  });

  it('names the environment variable when an override is not a url', () => {
    expect(() => parse(minimal(''), { ORDER_URL: 'not a url' })).toThrow(/upstream "order" field url \(from ORDER_URL\): "not a url" is not a URL/);
  });
});
