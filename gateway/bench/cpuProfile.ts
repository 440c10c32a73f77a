import { summariseCpuProfile, type CpuProfileFrame, type ProfileSummary } from '@delivery/test-support';

export type { ProfileSummary };

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

/**
 * Summarises a V8 .cpuprofile (node --cpu-prof) for the benchmark report: busy time (idle
 * excluded) by area (node:http server, undici client, syscalls, opossum, pino, the
 * gateway's own code, ...) and the inclusive share of the frames that matter.
 */
export function summariseProfile(dir: string): Promise<ProfileSummary> {
  return summariseCpuProfile(dir, { areaOf, frames: FRAMES });
}

function areaOf(frame: CpuProfileFrame): string {
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
