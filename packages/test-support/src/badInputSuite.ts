import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { ClientResponse } from './commandClient.ts';
import type { ServiceUnderTest } from './serviceUnderTest.ts';

export interface BadInputSpec {
  sut: () => ServiceUnderTest;
  /** The creating command's path and a body it accepts (a function where the body needs other aggregates made first). */
  createPath: string;
  validBody: Record<string, unknown> | (() => Promise<Record<string, unknown>>);
  /** Bodies that break the schema, and the field paths the 400 must name. */
  wrongTypes: { body: unknown; fields: string[] };
  missingFields: { body: unknown; fields: string[] };
  /** A command on an existing aggregate, e.g. `{ method: 'POST', action: '/cancel' }`. */
  itemCommand: { method: string; action: string; body: unknown };
}

interface ProblemAnswer {
  code?: string;
  errors?: { field: string; message: string }[];
}
const problemOf = (response: ClientResponse): ProblemAnswer => response.body as ProblemAnswer;
const errorPaths = (response: ClientResponse): string[] => (problemOf(response).errors ?? []).map((e) => e.field);

/** An error answer as architecture.md wants it: problem+json, a catalogue code, no stack trace. */
export function expectProblem(response: ClientResponse, status: number, code?: string): void {
  expect({ status: response.status, contentType: response.contentType }).toEqual({
    status,
    contentType: expect.stringMatching(/^application\/problem\+json/),
  });
  expect(response.body).toMatchObject({ status, title: expect.any(String), type: expect.any(String) });
  if (code !== undefined) expect(problemOf(response).code).toBe(code);
  expect(response.text).not.toMatch(/\n\s+at |stack/i);
}

/**
 * The bad-input cases every write service must answer with a 4xx problem+json (never a
 * 5xx or a stack trace), and stay healthy afterwards.
 */
export function describeBadInput(spec: BadInputSpec): void {
  describe('bad input', () => {
    const api = () => spec.sut().api;
    const validBody = async () => (typeof spec.validBody === 'function' ? spec.validBody() : spec.validBody);

    it('given malformed JSON then 400 MALFORMED_JSON', async () => {
      expectProblem(await api().raw('POST', spec.createPath, '{"oops": ', 'application/json'), 400, 'MALFORMED_JSON');
    });

    it('given a JSON string instead of an object then 400', async () => {
      const response = await api().raw('POST', spec.createPath, '"just a string"', 'application/json');
      expectProblem(response, 400);
    });

    it('given wrong types then 400 naming each bad field', async () => {
      const response = await api().send('POST', spec.createPath, spec.wrongTypes.body);
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(errorPaths(response)).toEqual(expect.arrayContaining(spec.wrongTypes.fields));
    });

    it('given missing fields then 400 naming each missing field', async () => {
      const response = await api().send('POST', spec.createPath, spec.missingFields.body);
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(errorPaths(response)).toEqual(expect.arrayContaining(spec.missingFields.fields));
    });

    it('given an unknown field then 400 naming it', async () => {
      const response = await api().send('POST', spec.createPath, { ...(await validBody()), isAdmin: true });
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(problemOf(response).errors).toEqual(expect.arrayContaining([{ field: 'isAdmin', message: 'unknown field' }]));
    });

    it('given a body over the size limit then 413', async () => {
      const response = await api().send('POST', spec.createPath, { ...(await validBody()), padding: 'x'.repeat(200_000) });
      expectProblem(response, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('given a non-JSON content type then 415', async () => {
      expectProblem(await api().raw('POST', spec.createPath, 'customerId=1', 'application/x-www-form-urlencoded'), 415);
      expectProblem(await api().raw('POST', spec.createPath, JSON.stringify(await validBody()), 'text/plain'), 415);
    });

    describe('given a JSON body declared in a charset other than UTF-8', () => {
      const utf16 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
      const encodings: [string, (text: string) => Buffer, string][] = [
        ['application/json; charset=utf-16', utf16, 'utf-16'],
        ['application/json; charset=UTF-16LE', (text) => Buffer.from(text, 'utf16le'), 'utf-16le'],
        ['application/json; charset="latin1"', (text) => Buffer.from(text, 'latin1'), 'latin1'],
      ];
      /** Outbox rows of this request (its X-Request-Id is the events' correlationId): none may exist. */
      const rowsOf = async (requestId: string) => (await spec.sut().outbox()).filter((row) => row.correlationId === requestId);
      const expectRefused = (response: ClientResponse, charset: string) => {
        expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
        expect(response.body).toMatchObject({ charset });
        expect(response.body.detail).toContain(charset);
      };

      it.each(encodings)('when the aggregate is created with %s then 415 naming the charset and nothing is stored', async (contentType, encode, charset) => {
        const requestId = `charset-create-${randomUUID()}`;
        const text = JSON.stringify(await validBody());
        expectRefused(await api().raw('POST', spec.createPath, encode(text), contentType, { 'X-Request-Id': requestId }), charset);
        expect(await rowsOf(requestId)).toEqual([]);
      });

      it.each(encodings)('when a command on an existing aggregate is sent with %s then 415 and the aggregate is unchanged', async (contentType, encode, charset) => {
        const created = await api().send('POST', spec.createPath, await validBody());
        expect(created.status).toBe(201);
        const id = Object.entries(created.body as Record<string, unknown>).find(([key]) => key.endsWith('Id'))?.[1] as string;
        const { method, action, body } = spec.itemCommand;
        const requestId = `charset-command-${randomUUID()}`;
        const path = `${spec.createPath}/${id}${action}`;
        expectRefused(await api().raw(method, path, encode(JSON.stringify(body)), contentType, { 'X-Request-Id': requestId }), charset);
        expect(await rowsOf(requestId)).toEqual([]);
        expect((await api().get(`${spec.createPath}/${id}`)).body).toMatchObject({ version: 1 });
      });

      it('when it is UTF-8 by the name utf-8 or utf8, in any letter case, then accepted', async () => {
        for (const contentType of ['application/json; charset=UTF-8', 'application/json; charset=utf8', 'application/json;charset="UTF8"']) {
          const response = await api().raw('POST', spec.createPath, JSON.stringify(await validBody()), contentType);
          expect({ contentType, status: response.status }).toEqual({ contentType, status: 201 });
        }
      });
    });

    it('given an id that is not a UUID then 400 naming the id', async () => {
      const { method, action, body } = spec.itemCommand;
      const response = await api().send(method, `${spec.createPath}/not-a-uuid${action}`, body);
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expectProblem(await api().get(`${spec.createPath}/12345`), 400, 'VALIDATION_FAILED');
    });

    it('given an unknown id then 404', async () => {
      const { method, action, body } = spec.itemCommand;
      const unknown = '00000000-0000-4000-8000-000000000000';
      expectProblem(await api().send(method, `${spec.createPath}/${unknown}${action}`, body), 404, 'NOT_FOUND');
      expectProblem(await api().get(`${spec.createPath}/${unknown}`), 404, 'NOT_FOUND');
    });

    it('given an Idempotency-Key that is too long or not printable ASCII then 400', async () => {
      const tooLong = await api().send('POST', spec.createPath, await validBody(), { 'Idempotency-Key': 'k'.repeat(129) });
      expectProblem(tooLong, 400, 'VALIDATION_FAILED');
      const control = await api().send('POST', spec.createPath, await validBody(), { 'Idempotency-Key': 'tab\there' });
      expectProblem(control, 400, 'VALIDATION_FAILED');
    });

    it('given an unknown path then 404, and a known path with a wrong method then 405 with Allow', async () => {
      expectProblem(await api().get('/api/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND');
      const wrongMethod = await api().send('DELETE', spec.createPath);
      expectProblem(wrongMethod, 405, 'METHOD_NOT_ALLOWED');
      expect(wrongMethod.headers.get('allow')).toBe('GET, POST') // GET: the batch query API;
    });

    it('after all of that the service is healthy and still takes commands', async () => {
      expect((await api().get('/health/ready')).status).toBe(200);
      expect((await api().send('POST', spec.createPath, await validBody())).status).toBe(201);
    });
  });
}
