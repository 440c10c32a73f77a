export { DEPENDENCY_HEADER, OwnerClient, type OwnerAnswer, type OwnerUrls } from './ownerClient.ts';
