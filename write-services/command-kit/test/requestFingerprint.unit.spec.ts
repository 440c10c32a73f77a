import { describe, expect, it } from '@jest/globals';
import { canonicalJson, IDEMPOTENCY_KEY_PATTERN, requestFingerprint } from '../src/idempotency/requestFingerprint.ts';

describe('request fingerprint', () => {
  it('ignores key order and whitespace', () => {
    expect(requestFingerprint(JSON.parse('{"b":1, "a":{"y":2,"x":[1,2]}}'))).toBe(requestFingerprint({ a: { x: [1, 2], y: 2 }, b: 1 }));
  });
  it('tells different values and array orders apart', () => {
    expect(requestFingerprint({ a: 1 })).not.toBe(requestFingerprint({ a: 2 }));
    expect(requestFingerprint({ a: [1, 2] })).not.toBe(requestFingerprint({ a: [2, 1] }));
  });
  it('treats an empty body like {}', () => {
    expect(requestFingerprint(undefined)).toBe(requestFingerprint({}));
  });
  it('writes canonical JSON', () => {
    expect(canonicalJson({ z: null, a: 'x', m: [true, { d: 1, c: 2 }] })).toBe('{"a":"x","m":[true,{"c":2,"d":1}],"z":null}');
  });
  it('accepts 1–128 printable ASCII characters as Idempotency-Key', () => {
    expect(IDEMPOTENCY_KEY_PATTERN.test('a')).toBe(true);
    expect(IDEMPOTENCY_KEY_PATTERN.test('x'.repeat(128))).toBe(true);
    expect(IDEMPOTENCY_KEY_PATTERN.test('with space ~!')).toBe(true);
    expect(IDEMPOTENCY_KEY_PATTERN.test('')).toBe(false);
    expect(IDEMPOTENCY_KEY_PATTERN.test('x'.repeat(129))).toBe(false);
    expect(IDEMPOTENCY_KEY_PATTERN.test('tab\t')).toBe(false);
    expect(IDEMPOTENCY_KEY_PATTERN.test('한글')).toBe(false);
  });
});
