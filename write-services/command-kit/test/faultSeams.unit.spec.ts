import { describe, expect, it } from '@jest/globals';
import { FaultSeamsRefused, readFaultSeams } from '../src/service/faultSeams.ts';

describe('readFaultSeams', () => {
  it('enables nothing unless DELIVERY_FAULT_SEAMS names a seam', () => {
    expect(readFaultSeams({})).toEqual({});
    expect(readFaultSeams({ DELIVERY_FAULT_SEAMS: ' ' })).toEqual({});
  });

  it('enables the crash between publish and mark-sent as a real process kill', () => {
    expect(readFaultSeams({ DELIVERY_FAULT_SEAMS: 'crash-after-publish' })).toEqual({ relay: { crashAfterPublish: 'kill-process' } });
  });

  it('refuses any seam under NODE_ENV=production, so a production deployment cannot start with one', () => {
    expect(() => readFaultSeams({ DELIVERY_FAULT_SEAMS: 'crash-after-publish', NODE_ENV: 'production' })).toThrow(FaultSeamsRefused);
    expect(readFaultSeams({ NODE_ENV: 'production' })).toEqual({});
  });

  it('refuses a seam it does not know instead of running without it', () => {
    expect(() => readFaultSeams({ DELIVERY_FAULT_SEAMS: 'crash-after-publsh' })).toThrow(/unknown seam "crash-after-publsh"/);
  });
});
