import { describe, expect, it } from '@jest/globals';
import type { NextFunction, Request, Response } from 'express';
import { charsetsOf, isJsonMediaType, jsonCharsetProblem, Problem, requireUtf8Json } from '../src/index.ts';

describe('JSON bodies are UTF-8 only', () => {
  it.each([
    ['application/json; charset=utf-16', 'utf-16'],
    ['application/json;charset=UTF-16LE', 'utf-16le'],
    ['Application/JSON; Charset="utf-32"', 'utf-32'],
    ['application/json; charset=latin1', 'latin1'],
    ['application/json; charset=ISO-8859-1', 'iso-8859-1'],
    ['application/json; charset=utf-7', 'utf-7'],
    ['application/merge-patch+json; charset=utf-16', 'utf-16'],
    ['application/json; charset=utf-8; charset=utf-16', 'utf-16'],
    ['application/json; charset=', ''],
  ])('given %s then 415 UNSUPPORTED_MEDIA_TYPE naming %j', (contentType, charset) => {
    const problem = jsonCharsetProblem(contentType);
    expect(problem).toBeInstanceOf(Problem);
    expect(problem?.toBody()).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', charset });
    expect(problem?.message).toContain(`"${charset}"`);
  });

  it.each([
    ['application/json'],
    ['application/json; charset=utf-8'],
    ['application/json; charset=UTF-8'],
    ['application/json; charset="utf-8"'],
    ['application/json; charset=utf8'],
    ['application/json; CHARSET=UTF8'],
    // A quoted parameter that merely mentions a charset is not one.
    ['application/json; profile="a; charset=utf-16"'],
    // Other media types are not this rule's business (the write services refuse them anyway).
    ['text/plain; charset=latin1'],
    ['application/x-www-form-urlencoded; charset=utf-16'],
  ])('given %s then accepted', (contentType) => {
    expect(jsonCharsetProblem(contentType)).toBeUndefined();
  });

  it('reads charset parameters unquoted and lower-cased, and recognises JSON media types', () => {
    expect(charsetsOf('application/json; charset="UTF\\-16"; q=1; Charset=Latin1')).toEqual(['utf-16', 'latin1']);
    expect([isJsonMediaType(' application/json '), isJsonMediaType('application/problem+json'), isJsonMediaType('application/jsonx')]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('names at most 64 characters of a long charset', () => {
    expect(jsonCharsetProblem(`application/json; charset=${'x'.repeat(500)}`)?.extensions).toEqual({ charset: 'x'.repeat(64) });
  });

  describe('as express middleware', () => {
    const run = (headers: Record<string, string>) => {
      const req = { headers: { ...headers } } as unknown as Request;
      let passed: unknown = 'not called';
      // The middleware never touches the response.
      requireUtf8Json(req, undefined as unknown as Response, ((error?: unknown) => (passed = error)) as NextFunction);
      return { passed, contentType: req.headers['content-type'] };
    };

    it('refuses a body declared in another charset before it is read', () => {
      const { passed } = run({ 'content-type': 'application/json; charset=utf-16', 'content-length': '10' });
      expect(passed).toBeInstanceOf(Problem);
      expect((passed as Problem).status).toBe(415);
    });

    it('renames the utf8 alias to the utf-8 that body-parser knows', () => {
      expect(run({ 'content-type': 'application/json; charset=UTF8', 'content-length': '2' })).toEqual({
        passed: undefined,
        contentType: 'application/json; charset=utf-8',
      });
    });

    it('lets a request without a body through whatever its content type says', () => {
      expect(run({ 'content-type': 'application/json; charset=utf-16' }).passed).toBeUndefined();
      expect(run({ 'content-type': 'application/json; charset=utf-16', 'content-length': '0' }).passed).toBeUndefined();
    });
  });
});
