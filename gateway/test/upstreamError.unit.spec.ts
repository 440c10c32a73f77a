import { describe, expect, it } from '@jest/globals';
import {
  countsAgainstBreaker,
  failureKind,
  unavailableDependency,
  UpstreamStatusError,
} from '../src/upstreamError.ts';

describe('upstream answers naming an unavailable dependency', () => {
  it('recognises only a 503 with a non-empty X-Dependency-Unavailable', () => {
    expect(unavailableDependency(503, { 'x-dependency-unavailable': 'order' })).toBe('order');
    expect(unavailableDependency(503, {})).toBeUndefined();
    expect(unavailableDependency(503, { 'x-dependency-unavailable': '' })).toBeUndefined();
    expect(unavailableDependency(500, { 'x-dependency-unavailable': 'order' })).toBeUndefined();
    expect(unavailableDependency(502, { 'x-dependency-unavailable': 'order' })).toBeUndefined();
  });

  it('classifies it as dependency_unavailable, which does not count against the breaker; a plain 503 still does', () => {
    const dependency = new UpstreamStatusError(503, true, 'order');
    const plain = new UpstreamStatusError(503, true);
    expect([failureKind(dependency), countsAgainstBreaker(dependency)]).toEqual(['dependency_unavailable', false]);
    expect([failureKind(plain), countsAgainstBreaker(plain)]).toEqual(['status_5xx', true]);
  });
});
