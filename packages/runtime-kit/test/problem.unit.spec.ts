import { describe, expect, it } from '@jest/globals';
import { Problem, PROBLEM_TYPES } from '../src/index.ts';

describe('problem catalogue', () => {
  it('renders RFC 9457 fields with a stable code and extensions', () => {
    const problem = new Problem('VALIDATION_FAILED', 'items: required', { extensions: { errors: [{ field: 'items' }] } });
    expect(problem.toBody('/api/v1/orders')).toEqual({
      type: 'urn:problem:validation-failed',
      title: 'Request validation failed',
      status: 400,
      detail: 'items: required',
      instance: '/api/v1/orders',
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'items' }],
    });
  });

  it('marks server-side problems retriable and client problems not', () => {
    expect(new Problem('SERVICE_UNAVAILABLE').retriable).toBe(true);
    expect(new Problem('INVALID_TRANSITION').retriable).toBe(false);
  });

  it('answers a rule that cannot be verified (its owner unreachable) with a retriable 503 DEPENDENCY_UNAVAILABLE', () => {
    const problem = new Problem('DEPENDENCY_UNAVAILABLE', 'The order service could not confirm the rule.');
    expect([problem.status, problem.retriable, problem.toBody().type]).toEqual([503, true, 'urn:problem:dependency-unavailable']);
  });

  it('gives every code a 4xx or 5xx status and a title', () => {
    for (const [code, { status, title }] of Object.entries(PROBLEM_TYPES)) {
      expect([code, status >= 400 && status < 600, title.length > 0]).toEqual([code, true, true]);
    }
  });
});
