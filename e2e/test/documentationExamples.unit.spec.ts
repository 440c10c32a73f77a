import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  type Bindings,
  differences,
  fencedBlocks,
  graphqlVariables,
  isHttpResponse,
  isSchemaDefinition,
  parseHttpMessage,
  substitute,
} from './support/documentation.ts';

/** The comparison documentation.e2e.spec.ts relies on: it must fail on every kind of drift. */
describe('running documentation examples', () => {
  const dir = mkdtempSync(join(tmpdir(), 'doc-blocks-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds fenced blocks with their language, line and heading, a longer fence holding a shorter one', () => {
    const file = join(dir, 'page.md');
    writeFileSync(file, ['# Page', '## Two', 'text', '````md', '```sh', 'inner', '```', '````', '```sh', 'echo hi', '```', ''].join('\n'));
    expect(fencedBlocks(file)).toEqual([
      { lang: 'md', text: '```sh\ninner\n```', line: 4, heading: 'Two' },
      { lang: 'sh', text: 'echo hi', line: 9, heading: 'Two' },
    ]);
  });

  it('binds a placeholder the first time an answer has it, then holds the answer to it', () => {
    const bindings: Bindings = new Map();
    expect(differences({ orderId: 'a-1', version: 1 }, { orderId: '$ORDER_ID', version: 1 }, bindings)).toEqual([]);
    expect(bindings.get('ORDER_ID')).toBe('a-1');
    expect(differences({ orderId: 'a-2' }, { orderId: '$ORDER_ID' }, bindings)).toEqual(['$.orderId: expected $ORDER_ID = "a-1", got "a-2"']);
    expect(differences({ instance: '/orders/a-1/accept' }, { instance: '/orders/$ORDER_ID/accept' }, bindings)).toEqual([]);
    expect(differences({ n: 5 }, { n: '$ORDER_ID' }, bindings)).toEqual(['$.n: expected a string for $ORDER_ID, got 5']);
  });

  it('names missing and undocumented keys, other lengths, other values and other types', () => {
    const bindings: Bindings = new Map();
    expect(differences({ a: 1, c: 3 }, { a: 1, b: 2 }, bindings)).toEqual(['$: keys differ: missing b, not documented c']);
    expect(differences({ items: [1, 2] }, { items: [1] }, bindings)).toEqual(['$.items: expected 1 item(s), got 2: [1,2]']);
    expect(differences({ x: { y: 'B' } }, { x: { y: 'A' } }, bindings)).toEqual(['$.x.y: expected "A", got "B"']);
    expect(differences({ v: null }, { v: 0 }, bindings)).toEqual(['$.v: expected 0, got null']);
    expect(differences([{ a: 1 }], { a: 1 }, bindings)).toEqual(['$: expected an object, got [{"a":1}]']);
  });

  it('takes any timestamp for a documented timestamp, and nothing else', () => {
    const bindings: Bindings = new Map();
    expect(differences({ at: '2027-01-02T03:04:05.006Z' }, { at: '2026-12-07T13:27:15.084Z' }, bindings)).toEqual([]);
    expect(differences({ at: 'yesterday' }, { at: '2026-12-07T13:27:15.084Z' }, bindings)).toEqual(['$.at: expected a timestamp, got "yesterday"']);
  });

  it('substitutes bound placeholders into requests and refuses an unbound one', () => {
    const bindings: Bindings = new Map([['ORDER_ID', 'o-1']]);
    expect(substitute('POST /api/v1/orders/$ORDER_ID/accept', bindings)).toBe('POST /api/v1/orders/o-1/accept');
    expect(() => substitute('$DELIVERY_ID', bindings)).toThrow('$DELIVERY_ID is used before');
    expect(graphqlVariables('# variables: { "id": "$ORDER_ID" }\nquery Q($id: ID!) { order(orderId: $id) { status } }', bindings)).toEqual({ id: 'o-1' });
    expect(graphqlVariables('query { x }', bindings)).toEqual({});
  });

  it('reads HTTP messages and tells requests, answers and type definitions apart', () => {
    const request = 'POST /api/v1/orders HTTP/1.1\nHost: 127.0.0.1:8080\nContent-Type: application/json\n\n{ "a": 1 }';
    expect(parseHttpMessage(request)).toEqual({
      startLine: 'POST /api/v1/orders HTTP/1.1',
      headers: [
        ['Host', '127.0.0.1:8080'],
        ['Content-Type', 'application/json'],
      ],
      body: '{ "a": 1 }',
    });
    expect(parseHttpMessage('HTTP/1.1 200 OK')).toEqual({ startLine: 'HTTP/1.1 200 OK', headers: [], body: '' });
    const block = (text: string) => ({ lang: 'http', text, line: 1, heading: '' });
    expect([isHttpResponse(block(request)), isHttpResponse(block('HTTP/1.1 409 Conflict\n\n{}'))]).toEqual([false, true]);
    expect([isSchemaDefinition('type Query {\n  a: Int\n}'), isSchemaDefinition('# variables: {}\nquery Q { a }')]).toEqual([true, false]);
  });
});
