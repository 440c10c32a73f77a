import { Redis } from 'ioredis';
const client = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
client.on('error', (e) => console.log('err', e.message));
await client.connect();
const t = Date.now();
try { console.log(await client.shutdown('NOSAVE')); } catch (e) { console.log('rejected', (e as Error).message, Date.now() - t); }
client.disconnect();
console.log(process.getActiveResourcesInfo());
const t0 = Date.now();
process.on('exit', () => console.log('exit after', Date.now() - t0));
