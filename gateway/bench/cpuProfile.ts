import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Summarises a V8 .cpuprofile (node --cpu-prof) for the benchmark report: busy time (idle
 * excluded) by area (node:http server, undici client, syscalls, opossum, pino, the
 * gateway's own code, ...) and the inclusive share of the frames that matter.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface ProfileSummary {
  busySamples: number;
  areas: [string, number][];
  frames: [string, number][];
}

const FRAMES = [
  'parserOnIncoming node:_http_server',
  'handle gateway.ts',
  'forward forwarder.ts',
  'fire circuit.js',
  'run attempt.ts',
  'writeH1 client-h1.js',
  'execute client-h1.js',
  'onResponseStart attempt.ts',
  'onResponseData attempt.ts',
  'finished gatewayMetrics.ts',
  'writev (native)',
];

export async function summariseProfile(dir: string): Promise<ProfileSummary> {
  const file = (await readdir(dir)).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const hits = new Map<number, number>();
  for (const sample of profile.samples) hits.set(sample, (hits.get(sample) ?? 0) + 1);

  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const [id, count] of hits) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    if (frame.functionName === '(idle)') continue;
    busy += count;
    const area = areaOf(frame);
    areas.set(area, (areas.get(area) ?? 0) + count);
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const key = frameKey((byId.get(current) as ProfileNode).callFrame);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + count);
    }
  }
  const share = (n: number) => Math.round((1000 * n) / busy) / 10;
  return {
    busySamples: busy,
    areas: [...areas].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([k, v]) => [k, share(v)]),
    frames: FRAMES.map((name): [string, number] => [name, share(inclusive.get(name) ?? 0)]),
  };
}

function frameKey(frame: ProfileNode['callFrame']): string {
  const file = frame.url === '' ? '(native)' : (frame.url.split('/').at(-1) ?? '');
  return `${frame.functionName || '(anonymous)'} ${file}`;
}

function areaOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === 'writev' || functionName === 'writeBuffer' || functionName === 'writeString' || functionName === 'writeUtf8String')
      return 'socket writes (syscalls)';
    return functionName.startsWith('(') ? functionName : 'other native';
  }
  if (url.includes('/gateway/src/')) return 'gateway (own code)';
  if (url.includes('/runtime-kit/')) return 'runtime-kit';
  if (url.includes('/undici/')) return 'undici (upstream client)';
  if (url.includes('opossum')) return 'opossum';
  if (url.includes('pino') || url.includes('sonic-boom') || url.includes('thread-stream')) return 'pino (access log)';
  if (url.includes('prom-client')) return 'prom-client';
  if (url.includes('_http_client') || url.includes('_http_agent')) return 'node:http client';
  if (url.includes('_http_server') || url.includes('_http_incoming') || url.includes('_http_outgoing') || url.includes('_http_common'))
    return 'node:http server/common';
  if (url.includes('streams/') || url.includes('stream_base')) return 'node streams';
  if (url.includes('node:events') || url.includes('event_target')) return 'node events';
  if (url.startsWith('node:')) return 'other node core';
  return 'other';
}
