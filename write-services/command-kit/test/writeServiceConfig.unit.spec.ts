import { describe, expect, it } from '@jest/globals';
import { connectionConfig, databaseNameOf } from '../src/db/connectionConfig.ts';
import { readWriteServiceConfig } from '../src/service/writeServiceConfig.ts';

describe('write service configuration', () => {
  it('reads the names of architecture.md with their defaults', () => {
    const config = readWriteServiceConfig('dispatch', 8082, {});
    expect(config).toMatchObject({
      port: 8082,
      host: '127.0.0.1',
      databaseUrl: 'mysql://dispatch_svc:dispatch_svc_pw@127.0.0.1:3306/dispatch_db',
      kafkaBrokers: ['127.0.0.1:9092'],
      logLevel: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.outbox)).toBe(true);
  });
  it("takes the service's own database variable and a broker list", () => {
    const config = readWriteServiceConfig('order', 8081, {
      PORT: '9001',
      ORDER_DATABASE_URL: 'mysql://u:p@db:3307/orders',
      DISPATCH_DATABASE_URL: 'mysql://other/db',
      KAFKA_BROKERS: 'k1:9092, k2:9092',
      LOG_LEVEL: 'warn',
      OUTBOX_BATCH_SIZE: '50',
    });
    expect(config).toMatchObject({ port: 9001, databaseUrl: 'mysql://u:p@db:3307/orders', kafkaBrokers: ['k1:9092', 'k2:9092'], logLevel: 'warn' });
    expect(config.outbox.batchSize).toBe(50);
  });
  it('listens on loopback unless HOST says otherwise: only the gateway and the read model call it', () => {
    expect(readWriteServiceConfig('order', 8081, {}).host).toBe('127.0.0.1');
    expect(readWriteServiceConfig('order', 8081, { HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(readWriteServiceConfig('order', 8081, { HOST: '10.0.0.5' }).host).toBe('10.0.0.5');
    expect(() => readWriteServiceConfig('order', 8081, { HOST: '10.0.0.5:8081' })).toThrow(/HOST/);
  });
  it('fails fast naming the bad variable', () => {
    expect(() => readWriteServiceConfig('delivery', 8083, { DELIVERY_DATABASE_URL: 'postgres://x/y' })).toThrow(/DELIVERY_DATABASE_URL/);
    expect(() => readWriteServiceConfig('delivery', 8083, { PORT: 'eighty' })).toThrow(/PORT/);
  });
  it('turns a mysql:// URL into driver options, decoding credentials', () => {
    expect(connectionConfig('mysql://us%40er:p%3Aw@127.0.0.1:3307/order_db')).toMatchObject({
      host: '127.0.0.1',
      port: 3307,
      user: 'us@er',
      password: 'p:w',
      database: 'order_db',
    });
    expect(databaseNameOf('mysql://u:p@h/order_db')).toBe('order_db');
    expect(() => connectionConfig('postgres://h/db')).toThrow(/mysql/);
  });
});
