export { startGateway, type GatewayDeps, type RunningGateway } from './gateway.ts';
export { startGatewayWorkers, type GatewayWorkersDeps } from './gatewayWorkers.ts';
export { gatewayConfig, DEFAULT_ROUTES_FILE, type GatewayConfig } from './gatewayConfig.ts';
export { loadRouteFile, parseRouteFile, RouteFileError, type RouteFile, type RouteSpec, type UpstreamSpec } from './routeFile.ts';
export type { ReloadOptions } from './routeReloads.ts';
export { BucketTable, DEFAULT_BUCKETS, type BucketTableStats } from './rateLimiter.ts';
