export { startGateway, type GatewayDeps, type RunningGateway } from './gateway.ts';
export { gatewayConfig, DEFAULT_ROUTES_FILE, type GatewayConfig } from './config.ts';
export { loadRouteFile, parseRouteFile, RouteFileError, type RouteFile, type RouteSpec, type UpstreamSpec } from './route-file.ts';
