export type { Component, ComponentName } from './components/component.ts';
export { createRedis, redis, type RedisSettings } from './components/redis.ts';
export { createMariadb, mariadb, type MariadbComponent, type MariadbSettings } from './components/mariadb.ts';
export { createKafka, kafka, type KafkaSettings } from './components/kafka.ts';
export { createMongo, mongo, type MongoSettings } from './components/mongo.ts';
export { hostPortOf, isLoopback, kafkaBrokers, mariadbAddress, mongoUrl, redisUrl, type HostPort } from './addresses.ts';
export {
  adminAccount,
  adminDatabaseUrl,
  databaseUrl,
  defaultDatabaseUrl,
  serviceDatabases,
  type ServiceDatabase,
  type ServiceName,
} from './databases.ts';
export { ensureDatabases } from './ensureDatabases.ts';
export { ensureTopics, platformTopics } from './topics.ts';
export { ComponentStartError, ensureComponent, type ComponentStatus } from './ensureComponent.ts';
export {
  componentNames,
  components,
  ensureInfrastructure,
  infrastructureEnv,
  signalComponent,
  startComponent,
  stopComponent,
  stopInfrastructure,
  type EnsureOptions,
} from './infrastructure.ts';
export { repoRoot, stateDir, statePath } from './state.ts';
export { startPlatform, type Platform, type RunningService } from './platform/platform.ts';
export { waitFor } from './process/waitFor.ts';
export { SERVICES, DEFAULT_PORTS, serviceUrls, type ServicePorts, type ServiceDefinition } from './platform/services.ts';
export { ensureSchemathesis, isSchemathesisInstalled, schemathesisCommand, schemathesisVersion } from './install/schemathesis.ts';
export { composeScrapeTargets, metricsPort, scrapeTargets } from './observability/scrapeTargets.ts';
export {
  prometheusOpsDir,
  renderPrometheusConfig,
  shippedPrometheusConfig,
  shippedRuleFiles,
  shippedTargets,
  withAlertFor,
  type RenderOptions,
} from './observability/prometheusConfig.ts';
export { ensurePrometheusInstalled, PROMETHEUS, PROMTOOL, startPrometheus, type PrometheusOptions, type RunningPrometheus } from './observability/prometheus.ts';
export {
  CONTROL_ACTIONS,
  controlPlatform,
  controlSocketPath,
  servePlatformControl,
  type ControlAction,
  type ControlAnswer,
  type ControlServer,
  type ServiceStatus,
} from './platform/control.ts';
