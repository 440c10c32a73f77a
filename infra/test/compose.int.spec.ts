import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { installDebianPackages } from '../src/install/debianPackages.ts';
import { repoRoot } from '../src/state.ts';

const run = promisify(execFile);
const composeFile = join(repoRoot, 'compose.yaml');

interface ComposeModel {
  services: Record<
    string,
    {
      image?: string;
      build?: unknown;
      environment?: Record<string, string | number>;
      ports?: ({ published?: number | string; target?: number } | string)[];
      volumes?: string[];
    }
  >;
}

// A real Compose implementation (Debian's docker-compose) validates the file; no engine needed.
describe('compose.yaml', () => {
  beforeAll(async () => {
    await installDebianPackages(['docker-compose']);
  }, 300_000);

  it('is valid for a real Compose implementation', async () => {
    await expect(run('docker-compose', ['-f', composeFile, 'config', '-q'])).resolves.toBeDefined();
  });

  it('runs the real infrastructure images and the five services with the platform variables', async () => {
    const { stdout } = await run('docker-compose', ['-f', composeFile, 'config']);
    const model = parse(stdout) as ComposeModel;
    const images = Object.values(model.services).map((s) => s.image ?? '');
    expect(images).toEqual(expect.arrayContaining(['apache/kafka:3.9.1', 'mariadb:10.11', 'redis:7.0']));
    expect(images.some((i) => i.startsWith('mongo:'))).toBe(true);
    for (const name of ['gateway', 'order', 'dispatch', 'delivery', 'read-model']) {
      expect(model.services[name]?.build).toBeDefined();
      expect(model.services[name]?.environment?.KAFKA_BROKERS).toBe('kafka:9092');
    }
    expect(model.services['read-model']?.environment).toMatchObject({ MONGO_URL: 'mongodb://mongo:27017', REDIS_URL: 'redis://redis:6379' });
    expect(model.services.order?.environment?.ORDER_DATABASE_URL).toMatch(/^mysql:\/\/order_svc:.+@mariadb:3306\/order_db$/);
    expect(model.services.gateway?.environment).toMatchObject({ ORDER_URL: 'http://order:8081', GATEWAY_WORKERS: 'auto' });
    // Rules across aggregates: each write service reaches the owners it asks by service name, not its own loopback.
    expect(model.services.order?.environment).toMatchObject({ DELIVERY_URL: 'http://delivery:8083' });
    expect(model.services.dispatch?.environment).toMatchObject({ ORDER_URL: 'http://order:8081', DELIVERY_URL: 'http://delivery:8083' });
    expect(model.services.delivery?.environment).toMatchObject({ DISPATCH_URL: 'http://dispatch:8082' });
  });

  it("publishes only the gateway and the read model to the host, and Grafana to the host's loopback; every service listens inside its container", async () => {
    const { stdout } = await run('docker-compose', ['-f', composeFile, 'config']);
    const model = parse(stdout) as ComposeModel;
    const published = Object.fromEntries(
      Object.entries(model.services)
        .filter(([, service]) => service.ports !== undefined)
        // docker-compose 1.x prints a port with a host address as the string `ip:published:target/tcp`.
        .map(([name, service]) => [name, (service.ports ?? []).map((p) => (typeof p === 'string' ? p : `${String(p.published)}:${String(p.target)}`))]),
    );
    expect(published).toEqual({ gateway: ['8080:8080'], 'read-model': ['8084:8084'], grafana: ['127.0.0.1:3000:3000/tcp'] });
    // Containers reach each other by service name: HOST must not be loopback there (the write services' default).
    for (const name of ['gateway', 'order', 'dispatch', 'delivery', 'read-model']) expect(model.services[name]?.environment?.HOST).toBe('0.0.0.0');
  });

  it('runs Prometheus with the shipped configuration and rules, and Grafana with the shipped provisioning and dashboards', async () => {
    const { stdout } = await run('docker-compose', ['-f', composeFile, 'config']);
    const model = parse(stdout) as ComposeModel;
    const mount = (source: string, target: string) => `${join(repoRoot, source)}:${target}:ro`;
    expect(model.services.prometheus?.image).toMatch(/^prom\/prometheus:v2\./);
    expect(model.services.prometheus?.volumes).toEqual(
      expect.arrayContaining([mount('ops/prometheus/prometheus.compose.yml', '/etc/prometheus/prometheus.yml'), mount('ops/prometheus/rules', '/etc/prometheus/rules')]),
    );
    expect(model.services.grafana?.image).toMatch(/^grafana\/grafana:/);
    expect(model.services.grafana?.volumes).toEqual(
      expect.arrayContaining([mount('ops/grafana/provisioning', '/etc/grafana/provisioning'), mount('ops/grafana/dashboards', '/var/lib/grafana/dashboards')]),
    );
  });

  it('is refused by the same implementation when broken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-'));
    copyFileSync(join(repoRoot, 'infra/compose/mariadb-init.sql'), join(dir, 'init.sql'));
    const original = readFileSync(composeFile, 'utf8');
    const broken = original.replace('  redis:\n    image: redis:7.0', '  redis:\n    image: [redis]');
    expect(broken).not.toBe(original);
    writeFileSync(join(dir, 'compose.yaml'), broken);
    await expect(run('docker-compose', ['-f', join(dir, 'compose.yaml'), 'config', '-q'])).rejects.toThrow();
  });
});
