import { describe, expect, it } from '@jest/globals';
import { listenHost, probeOrigin, SERVICES } from '../src/platform/services.ts';

describe('listen addresses of npm start and the test platform', () => {
  it('puts every service on loopback by default', () => {
    expect(SERVICES.map((s) => [s.name, listenHost(s.name)])).toEqual(SERVICES.map((s) => [s.name, '127.0.0.1']));
  });

  it('widens only the gateway and the read model when asked; a write service stays on loopback', () => {
    const publicHosts = { gateway: '0.0.0.0', 'read-model': '0.0.0.0' };
    expect(Object.fromEntries(SERVICES.map((s) => [s.name, listenHost(s.name, publicHosts)]))).toEqual({
      gateway: '0.0.0.0',
      'read-model': '0.0.0.0',
      order: '127.0.0.1',
      dispatch: '127.0.0.1',
      delivery: '127.0.0.1',
    });
  });

  it('probes a wildcard address on loopback, and any other address as it is', () => {
    expect([probeOrigin('0.0.0.0', 8080), probeOrigin('::', 8080), probeOrigin('127.0.0.1', 1), probeOrigin('10.0.0.5', 2), probeOrigin('fd00::2', 3)]).toEqual([
      'http://127.0.0.1:8080',
      'http://127.0.0.1:8080',
      'http://127.0.0.1:1',
      'http://10.0.0.5:2',
      'http://[fd00::2]:3',
    ]);
  });
});
