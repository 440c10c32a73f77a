import { readFileSync } from 'node:fs';

/**
 * What e2e/test/documentation.e2e.spec.ts needs to run the examples of docs/api.md and the
 * shell blocks of docs/tutorial.md: fenced blocks of a Markdown page, HTTP messages written
 * as text, and the comparison of an answer with the one a page shows.
 */

export interface FencedBlock {
  /** The info string's first word (`sh`, `http`, `graphql`, `json`, or empty). */
  lang: string;
  /** The block's text, without the fences. */
  text: string;
  /** 1-based line of the opening fence, for messages. */
  line: number;
  /** The nearest heading above the block. */
  heading: string;
}

/** Every fenced code block of a Markdown file, in order (``` or ~~~ fences, CommonMark's closing rule). */
export function fencedBlocks(file: string): FencedBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: FencedBlock[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]!);
    if (!open) {
      const title = /^#{1,6}\s+(.*)$/.exec(lines[i]!);
      if (title) heading = title[1]!.trim();
      continue;
    }
    const fence = open[1]!;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines[j]!);
      if (close && close[1]![0] === fence[0] && close[1]!.length >= fence.length) break;
      body.push(lines[j]!);
    }
    blocks.push({ lang: open[2] ?? '', text: body.join('\n'), line: i + 1, heading });
    i = j;
  }
  return blocks;
}

/** `$NAME` placeholders: upper-case letters, digits and underscores after a dollar sign. */
const PLACEHOLDER = /\$([A-Z][A-Z0-9_]*)/g;
const ONLY_PLACEHOLDER = /^\$([A-Z][A-Z0-9_]*)$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export type Bindings = Map<string, string>;

/** The text with every bound `$NAME` replaced; an unbound one is an error (a request must be complete). */
export function substitute(text: string, bindings: Bindings): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = bindings.get(name);
    if (value === undefined) throw new Error(`${whole} is used before any answer or the test gave it a value`);
    return value;
  });
}

/**
 * Compares an answer with the one a page documents; returns the differences (none: it
 * matches). Objects must have the same keys, arrays the same length, scalars the same value,
 * except: a documented timestamp only asks for a timestamp; a documented `"$NAME"` asks for
 * its bound value, or binds it (to a string) the first time; `$NAME` inside a longer string
 * is replaced by its value before comparing.
 */
export function differences(actual: unknown, documented: unknown, bindings: Bindings, path = '$'): string[] {
  const at = (message: string) => [`${path}: ${message}`];
  if (typeof documented === 'string') {
    const only = ONLY_PLACEHOLDER.exec(documented);
    if (only) {
      const name = only[1]!;
      if (typeof actual !== 'string') return at(`expected a string for $${name}, got ${JSON.stringify(actual)}`);
      const bound = bindings.get(name);
      if (bound === undefined) {
        bindings.set(name, actual);
        return [];
      }
      return actual === bound ? [] : at(`expected $${name} = ${JSON.stringify(bound)}, got ${JSON.stringify(actual)}`);
    }
    if (TIMESTAMP.test(documented)) {
      return typeof actual === 'string' && TIMESTAMP.test(actual) ? [] : at(`expected a timestamp, got ${JSON.stringify(actual)}`);
    }
    const expected = documented.replace(PLACEHOLDER, (whole, name: string) => bindings.get(name) ?? whole);
    return actual === expected ? [] : at(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
  if (Array.isArray(documented)) {
    if (!Array.isArray(actual)) return at(`expected an array, got ${JSON.stringify(actual)}`);
    if (actual.length !== documented.length) return at(`expected ${documented.length} item(s), got ${actual.length}: ${JSON.stringify(actual)}`);
    return documented.flatMap((item, i) => differences(actual[i], item, bindings, `${path}[${i}]`));
  }
  if (documented !== null && typeof documented === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return at(`expected an object, got ${JSON.stringify(actual)}`);
    const expectedKeys = Object.keys(documented);
    const actualKeys = Object.keys(actual);
    const missing = expectedKeys.filter((k) => !actualKeys.includes(k));
    const extra = actualKeys.filter((k) => !expectedKeys.includes(k));
    if (missing.length > 0 || extra.length > 0) {
      return at(`keys differ: ${[...missing.map((k) => `missing ${k}`), ...extra.map((k) => `not documented ${k}`)].join(', ')}`);
    }
    return expectedKeys.flatMap((k) =>
      differences((actual as Record<string, unknown>)[k], (documented as Record<string, unknown>)[k], bindings, `${path}.${k}`),
    );
  }
  return Object.is(actual, documented) ? [] : at(`expected ${JSON.stringify(documented)}, got ${JSON.stringify(actual)}`);
}

export interface HttpMessage {
  /** Request: `POST /path HTTP/1.1`; response: `HTTP/1.1 201 Created`. */
  startLine: string;
  headers: [string, string][];
  body: string;
}

/** An HTTP message as a page writes it: start line, header lines, an empty line, the body. */
export function parseHttpMessage(text: string): HttpMessage {
  const lines = text.replace(/^\n+/, '').split('\n');
  const blank = lines.indexOf('');
  const head = blank === -1 ? lines : lines.slice(0, blank);
  const body = blank === -1 ? '' : lines.slice(blank + 1).join('\n').trim();
  const [startLine = '', ...headerLines] = head;
  const headers = headerLines.map((line): [string, string] => {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`not a header line: ${line}`);
    return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
  });
  return { startLine: startLine.trim(), headers, body };
}

export const isHttpResponse = (block: FencedBlock) => block.lang === 'http' && /^HTTP\/\d(\.\d)? \d{3}\b/.test(block.text.trimStart());

/** A ```graphql block that defines types (checked against schema.graphql) rather than an operation. */
export const isSchemaDefinition = (text: string) =>
  /^(type|enum|input|scalar|interface|union|schema|directive|extend)\b/.test(
    text
      .split('\n')
      .filter((line) => !line.trim().startsWith('#') && line.trim() !== '')
      .join('\n')
      .trimStart(),
  );

/** The variables a ```graphql operation declares in a `# variables: {…}` comment line (none: `{}`). */
export function graphqlVariables(text: string, bindings: Bindings): Record<string, unknown> {
  const line = /^\s*#\s*variables:\s*(.*)$/m.exec(text);
  return line ? (JSON.parse(substitute(line[1]!, bindings)) as Record<string, unknown>) : {};
}

/** Whitespace collapsed, so that a type definition quoted in a page matches the schema file's. */
export const normalisedSchema = (text: string) => text.replace(/\s+/g, ' ').trim();
