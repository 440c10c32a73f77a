export * from './commandPath.ts';
export * from './commandMetrics.ts';
export * from './openApiDocument.ts';
export * from './writeServiceApp.ts';
export * from './emptyBody.ts';
export { parseBody } from './requestParsing.ts';
