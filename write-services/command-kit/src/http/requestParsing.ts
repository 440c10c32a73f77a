import { Uuid } from '@delivery/contracts';
import { fieldErrorsOf, invalidFields, Problem, type ProblemCode, requireUtf8Json } from '@delivery/runtime-kit';
import type { Request, RequestHandler } from 'express';
import type { z } from 'zod';
import { IDEMPOTENCY_KEY_PATTERN } from '../idempotency/requestFingerprint.ts';

/** What reading a command request may refuse with (this module and express.json's limit): its OpenAPI responses. */
export const REQUEST_PROBLEMS: readonly ProblemCode[] = ['VALIDATION_FAILED', 'MALFORMED_JSON', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];

/**
 * A path id that is not a UUID is a 400 naming the parameter; a valid one comes back in
 * canonical lower case (the contract's Uuid), before anything else uses it.
 */
export function parseAggregateId(value: unknown, field: string): string {
  const result = Uuid.safeParse(value);
  if (!result.success) {
    throw invalidFields([{ field, message: 'must be a UUID' }], 'path');
  }
  return result.data;
}

/** Validates a body against its command schema; 400 lists every bad field and why. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  throw invalidFields(fieldErrorsOf(result.error.issues, '(body)'), 'request body');
}

/** Idempotency-Key: absent, or 1–128 printable ASCII characters. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw invalidFields([{ field: 'Idempotency-Key', message: 'must be 1-128 printable ASCII characters' }], 'header');
  }
  return key;
}

const JSON_TYPES = ['application/json', 'application/*+json'];

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** A command body must be UTF-8 JSON (or empty): another type or charset is a 415 before it is read. */
export const requireJsonBody: RequestHandler = (req, res, next) => {
  if (hasBody(req) && !req.is(JSON_TYPES)) {
    next(
      new Problem('UNSUPPORTED_MEDIA_TYPE', `Send application/json (got ${req.headers['content-type'] ?? 'no content type'}).`),
    );
    return;
  }
  requireUtf8Json(req, res, next);
};

export const JSON_BODY_TYPES = JSON_TYPES;
