import type { Json } from './readModelHarness.ts';

export interface GraphQLAnswer {
  status: number;
  body: Json;
  headers: Headers;
}

/** POSTs one operation to `/graphql` of a running read model. */
export async function postGraphQL(baseUrl: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GraphQLAnswer> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
  });
  const text = await response.text();
  return { status: response.status, body: /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text, headers: response.headers };
}

/** The `extensions.code` of each error, by path (`order.stage`), for compact assertions. */
export function errorCodes(body: Json): Record<string, string> {
  return Object.fromEntries(((body.errors ?? []) as { path?: (string | number)[]; extensions: { code: string } }[]).map((e) => [(e.path ?? ['(request)']).join('.'), e.extensions.code]));
}
