import { readFileSync } from 'node:fs';

/** The root `schema.graphql`: the one definition of the API (the resolver types are generated from it). */
export const SCHEMA_FILE = new URL('../../../../schema.graphql', import.meta.url);

/** Read once, when the server is built. */
export function loadTypeDefs(): string {
  return readFileSync(SCHEMA_FILE, 'utf8');
}
