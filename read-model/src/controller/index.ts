export { openApiDocument } from './openApiDocument.ts';
export { READ_SOURCE_HEADER, restRouter } from './restRouter.ts';
