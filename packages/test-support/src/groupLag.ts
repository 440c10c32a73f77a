import type { Admin, Kafka } from 'kafkajs';
import { eventually, type PollOptions } from './eventually.ts';

/** Messages of `topics` that `groupId` has not committed yet (a partition it never committed counts from its low watermark). */
export async function groupLag(admin: Admin, groupId: string, topics: string[]): Promise<number> {
  let behind = 0;
  for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
    for (const end of await admin.fetchTopicOffsets(topic)) {
      const done = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      behind += Number(end.high) - (done === '-1' ? Number(end.low) : Number(done));
    }
  }
  return behind;
}

/**
 * Resolves once `groupId` has committed every message of `topics` (all consumed and
 * stored). A lag that cannot be read, as right after a broker restart while the coordinator
 * moves and loads, counts as not yet.
 */
export async function waitGroupConsumed(kafka: Kafka, groupId: string, topics: string[], options: Omit<PollOptions, 'what'> = {}): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let behind: number | string = 'unknown';
    await eventually(
      async () => {
        behind = 'unknown';
        behind = await groupLag(admin, groupId, topics);
        return behind === 0;
      },
      { intervalMs: 100, ...options, what: () => `group ${groupId} to catch up (still ${behind} messages behind)` },
    );
  } finally {
    await admin.disconnect();
  }
}
