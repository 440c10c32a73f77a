import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { Problem } from './problem.ts';

/**
 * JSON request bodies are UTF-8 (RFC 8259 §8.1), on every service. body-parser's `json()`
 * accepts any charset starting with `utf-` and decodes it with iconv (UTF-16, UTF-32, and
 * names iconv then fails on), and refuses the common `utf8` alias: a body one service
 * decodes as UTF-16 is a different text to a proxy, log or WAF that read it as bytes.
 * Here the rule is one function, used by the gateway (plain node:http) and, as express
 * middleware, in front of every `express.json()`.
 */
const UTF8_NAMES = new Set(['utf-8', 'utf8']);

/** `; name=value` or `; name="quoted"` parameters of a Content-Type value (a quoted value may hold `;`). */
const PARAMETER = /;\s*([^\s;=]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s;]*)/g;

/** application/json, or a structured-syntax `application/<x>+json` type (what the write services accept). */
export function isJsonMediaType(contentType: string): boolean {
  const semicolon = contentType.indexOf(';');
  const essence = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return essence === 'application/json' || /^application\/[^\s/]+\+json$/.test(essence);
}

/** Every `charset` parameter of a Content-Type value, unquoted and lower-cased, in order. */
export function charsetsOf(contentType: string): string[] {
  const charsets: string[] = [];
  for (const [, name, raw = ''] of contentType.matchAll(PARAMETER)) {
    if (name?.toLowerCase() !== 'charset') continue;
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    charsets.push(value.toLowerCase());
  }
  return charsets;
}

/**
 * 415 UNSUPPORTED_MEDIA_TYPE when a JSON Content-Type declares a charset other than UTF-8
 * (`utf-8` or `utf8`, any letter case), naming it (`charset` extension, at most 64
 * characters of it); undefined otherwise. Other media types are not this rule's business.
 */
export function jsonCharsetProblem(contentType: string | undefined): Problem | undefined {
  if (contentType === undefined || !isJsonMediaType(contentType)) return undefined;
  const refused = charsetsOf(contentType).find((charset) => !UTF8_NAMES.has(charset));
  if (refused === undefined) return undefined;
  const named = refused.slice(0, 64);
  return new Problem('UNSUPPORTED_MEDIA_TYPE', `JSON bodies must be UTF-8; this one declares charset "${named}".`, {
    extensions: { charset: named },
  });
}

/** A request that carries a body (the same test body-parser and the gateway make). */
export function declaresBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Express middleware for routes that parse JSON: a body whose JSON Content-Type declares
 * a charset other than UTF-8 is refused (415, above) before a byte of it is read. A
 * `charset=utf8` is renamed `utf-8`, the only spelling body-parser accepts.
 */
export const requireUtf8Json: RequestHandler = (req, _res, next) => {
  const contentType = req.headers['content-type'];
  if (contentType === undefined || !declaresBody(req.headers)) {
    next();
    return;
  }
  const problem = jsonCharsetProblem(contentType);
  if (problem !== undefined) {
    next(problem);
    return;
  }
  if (charsetsOf(contentType).includes('utf8')) {
    req.headers['content-type'] = contentType.replace(PARAMETER, (parameter, name: string) =>
      name.toLowerCase() === 'charset' ? '; charset=utf-8' : parameter,
    );
  }
  next();
};
