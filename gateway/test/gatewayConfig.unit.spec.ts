import { describe, expect, it } from '@jest/globals';
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
});
