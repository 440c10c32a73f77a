import { describe, expect, it } from '@jest/globals';
import { availableParallelism } from 'node:os';
import { gatewayConfig } from '../src/gatewayConfig.ts';

describe('gateway configuration', () => {
  it('listens on every interface by default: it is the public entry for commands', () => {
    expect(gatewayConfig({})).toMatchObject({ port: 8080, host: '0.0.0.0' });
  });

  it('takes HOST as the listen address, and refuses one that is not an address', () => {
    expect(gatewayConfig({ HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
    expect(gatewayConfig({ HOST: '::' }).host).toBe('::');
    expect(() => gatewayConfig({ HOST: '0.0.0.0:8080' })).toThrow(/HOST/);
  });

  it('runs one process without worker threads by default; GATEWAY_WORKERS takes a count or auto (one per CPU)', () => {
    expect(gatewayConfig({}).workers).toBe(1);
    expect(gatewayConfig({ GATEWAY_WORKERS: '3' }).workers).toBe(3);
    expect(gatewayConfig({ GATEWAY_WORKERS: 'auto' }).workers).toBe(availableParallelism());
    for (const bad of ['0', 'two', '1.5', '']) expect(() => gatewayConfig({ GATEWAY_WORKERS: bad })).toThrow(/GATEWAY_WORKERS/);
  });

  it('watches the route file unless GATEWAY_ROUTES_WATCH=false', () => {
    expect(gatewayConfig({}).watchRoutes).toBe(true);
    expect(gatewayConfig({ GATEWAY_ROUTES_WATCH: 'false' }).watchRoutes).toBe(false);
  });
});
