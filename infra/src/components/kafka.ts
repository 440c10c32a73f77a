import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Component } from './component.ts';
import { mavenInstallation } from './mavenInstallation.ts';
import { hostPortOf, kafkaBrokers, type HostPort } from '../addresses.ts';
import { repoRoot, statePath } from '../state.ts';
import { run } from '../process/run.ts';
import { spawnDetached } from '../process/spawnDetached.ts';
import { stopProcess } from '../process/stopProcess.ts';
import { ownedPid } from '../process/pidFile.ts';

const POM = join(repoRoot, 'infra/kafka/pom.xml');

export interface KafkaSettings {
  address: HostPort;
  /** The KRaft controller's own listener. */
  controllerPort: number;
  dir: string;
}

/** A single-node KRaft broker (process.roles=broker,controller), as in provisioning.md. */
function brokerProperties({ address, controllerPort, dir }: KafkaSettings): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${address.host}:${controllerPort}`,
    `listeners=PLAINTEXT://${address.host}:${address.port},CONTROLLER://${address.host}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${address.host}:${address.port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${dir}/data`,
    'num.partitions=3',
    // Topics are created up front (topics.ts); a typo must not create one.
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    // A consumer group forms at once instead of after 3 s (tests, fresh starts).
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

/**
 * Everything to stdout, which the process's log file receives. Warnings and errors only,
 * plus the broker's start and stop lines: at INFO, every start dumps its whole config and
 * every test's consumer group logs its joins (≈ 1.7 MB after a morning of tests).
 */
const LOG4J = `log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
`;

/** A Kafka cluster id: 16 random bytes, base64url without padding, not starting with '-'. */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export function createKafka(settings: KafkaSettings): Component {
  const { address, dir } = settings;
  const libs = `${dir}/libs`;
  const propertiesFile = `${dir}/server.properties`;
  const log4jFile = `${dir}/log4j.properties`;
  const logFile = `${dir}/kafka.log`;
  const pidFile = `${dir}/kafka.pid`;

  // KRaft storage is formatted once; meta.properties marks a formatted log dir.
  const formatStorage = async (): Promise<void> => {
    if (existsSync(`${dir}/data/meta.properties`)) return;
    await run('java', ['-cp', `${libs}/*`, `-Dlog4j.configuration=file:${log4jFile}`,
      'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', propertiesFile]);
  };

  return {
    name: 'kafka',
    address: `${address.host}:${address.port}`,
    logFile,
    startTimeoutMs: 60_000,
    ...mavenInstallation(POM, libs),
    isReady: async () => {
      const admin = new Kafka({
        clientId: 'infra-readiness',
        brokers: [`${address.host}:${address.port}`],
        logLevel: logLevel.NOTHING,
        connectionTimeout: 1_000,
        requestTimeout: 2_000,
        retry: { retries: 0 },
      }).admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return cluster.brokers.length > 0;
      } catch {
        return false;
      } finally {
        await admin.disconnect().catch(() => {});
      }
    },
    pid: () => ownedPid(pidFile, 'kafka.Kafka'),
    isRunning: () => ownedPid(pidFile, 'kafka.Kafka') !== undefined,
    start: async () => {
      mkdirSync(`${dir}/data`, { recursive: true });
      writeFileSync(propertiesFile, brokerProperties(settings));
      writeFileSync(log4jFile, LOG4J);
      await formatStorage();
      spawnDetached({
        command: 'java',
        args: [
          '-Xms512m', '-Xmx512m',
          `-Dlog4j.configuration=file:${log4jFile}`,
          '-cp', `${libs}/*`,
          'kafka.Kafka', propertiesFile,
        ],
        logFile,
        pidFile,
      });
    },
    stop: async () => {
      // SIGTERM is Kafka's controlled shutdown: it closes its logs cleanly, so the next start
      // skips log recovery.
      await stopProcess({ pidFile, marker: 'kafka.Kafka', timeoutMs: 30_000 });
    },
  };
}

export const kafka: Component = createKafka({
  address: hostPortOf(kafkaBrokers()[0] ?? '127.0.0.1:9092', 9092),
  controllerPort: Number(process.env['KAFKA_CONTROLLER_PORT'] ?? 19093),
  dir: statePath('kafka'),
});
