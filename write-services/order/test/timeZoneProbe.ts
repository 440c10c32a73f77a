// Run by orderRepository.int.spec.ts in a child process with another TZ (jest's sandbox keeps
// the time zone it started with): writes an order through the repository on the driver
// client, reads it back and prints what the repository answered.
import { connectDriverDatabase } from '@delivery/command-kit';
import type { Order } from '../src/domain/order.ts';
import { orderRepository } from '../src/store/orderRepository.ts';

const [databaseUrl, json] = process.argv.slice(2);
if (databaseUrl === undefined || json === undefined) throw new Error('usage: timeZoneProbe.ts <databaseUrl> <order JSON>');
const order = JSON.parse(json) as Order;
const db = connectDriverDatabase(databaseUrl);
try {
  await db.$transaction((tx) => orderRepository.insert(tx, order));
  const loaded = await orderRepository.load(db, order.orderId);
  const [row] = await db.$queryRawUnsafe<{ created_at: Date }[]>('SELECT created_at FROM orders WHERE id = ?', order.orderId);
  console.log(JSON.stringify({ hours: new Date(order.createdAt).getHours(), loaded, raw: row?.created_at.toISOString() }));
} finally {
  await db.$disconnect();
}
