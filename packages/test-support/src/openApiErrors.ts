import { Validator } from '@seriousme/openapi-schema-validator';

/** What makes `document` an invalid OpenAPI document against its version's official schema (3.1 here); [] when it is valid. */
export async function openApiErrors(document: object): Promise<unknown[]> {
  const result = await new Validator().validate(document as Parameters<Validator['validate']>[0]);
  if (result.valid) return [];
  return Array.isArray(result.errors) ? result.errors : [result.errors];
}
