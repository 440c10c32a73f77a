import { describe, expect, it } from '@jest/globals';
import { requestIdOf } from '../src/index.ts';

describe('request id', () => {
  it('keeps a valid incoming id', () => {
    expect(requestIdOf('order-42:retry_1.a')).toBe('order-42:retry_1.a');
    expect(requestIdOf('x'.repeat(128))).toBe('x'.repeat(128));
  });

  it.each([['has space'], ['evil\r\nX-Admin: 1'], ['x'.repeat(129)], [''], [['a', 'b']], [undefined]])(
    'replaces %j with a fresh UUID',
    (incoming) => {
      expect(requestIdOf(incoming)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    },
  );
});
