import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One frame of a V8 .cpuprofile (`node --cpu-prof`). */
export interface CpuProfileFrame {
  functionName: string;
  url: string;
}

interface ProfileNode {
  id: number;
  callFrame: CpuProfileFrame & { lineNumber: number };
  children?: number[];
}

/** Busy time (idle left out) by area, and the inclusive share of chosen frames, in % of busy samples. */
export interface ProfileSummary {
  busySamples: number;
  areas: [string, number][];
  frames: [string, number][];
}

export interface SummaryOptions {
  /** Which area a frame's own time counts to (default: its npm package, node module or repository folder). */
  areaOf?: (frame: CpuProfileFrame) => string;
  /** Frames (`functionName file`) whose inclusive share to report; default: the `topFrames` largest. */
  frames?: readonly string[];
  topAreas?: number;
  topFrames?: number;
  /**
   * Only the samples taken in this span, in µs of the monotonic clock the profile's
   * timestamps use (`process.hrtime` in any process of the machine): a service profiled
   * from its start, summarised over a benchmark's measured window.
   */
  window?: { startUs: number; endUs: number };
}

/** Summarises the (first) .cpuprofile in `dir` for a benchmark report: where a process's CPU went. */
export async function summariseCpuProfile(dir: string, options: SummaryOptions = {}): Promise<ProfileSummary> {
  const file = (await readdir(dir)).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  return summariseCpuProfileFile(join(dir, file), options);
}

/** Summarises one .cpuprofile file. */
export async function summariseCpuProfileFile(file: string, options: SummaryOptions = {}): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; startTime: number; timeDeltas: number[] };
  const areaOf = options.areaOf ?? defaultAreaOf;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const hits = new Map<number, number>();
  const window = options.window;
  let at = profile.startTime;
  profile.samples.forEach((sample, index) => {
    at += profile.timeDeltas[index] ?? 0;
    if (window && (at < window.startUs || at > window.endUs)) return;
    hits.set(sample, (hits.get(sample) ?? 0) + 1);
  });

  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const [id, count] of hits) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    if (frame.functionName === '(idle)' || frame.functionName === '(program)') continue;
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
  const share = (n: number) => (busy === 0 ? 0 : Math.round((1000 * n) / busy) / 10);
  const frames: [string, number][] = options.frames
    ? options.frames.map((name) => [name, share(inclusive.get(name) ?? 0)])
    : [...inclusive]
        .filter(([key]) => !key.startsWith('(root)') && !key.startsWith('(anonymous)') && !NOISE.some((n) => key.startsWith(n)))
        .sort((a, b) => b[1] - a[1])
        .slice(0, options.topFrames ?? 12)
        .map(([key, n]) => [key, share(n)]);
  return {
    busySamples: busy,
    areas: [...areas]
      .sort((a, b) => b[1] - a[1])
      .slice(0, options.topAreas ?? 14)
      .map(([key, n]) => [key, share(n)]),
    frames,
  };
}

/** Frames every async stack passes through: they say nothing about where the time goes. */
const NOISE = ['processTicksAndRejections ', 'runMicrotasks ', 'emit ', 'runInAsyncScope ', 'listOnTimeout ', 'processTimers '];

export function frameKey(frame: CpuProfileFrame): string {
  const file = frame.url === '' ? '(native)' : (frame.url.split('/').at(-1) ?? '');
  return `${frame.functionName || '(anonymous)'} ${file}`;
}

/** A frame's npm package, node module, or the repository folder its file is in. */
export function defaultAreaOf(frame: CpuProfileFrame): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (['writev', 'writeBuffer', 'writeString', 'writeUtf8String'].includes(functionName)) return 'socket writes (syscalls)';
    return functionName.startsWith('(') ? functionName : 'other native';
  }
  if (url.startsWith('wasm://')) return 'WebAssembly';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  if (url.startsWith('node:')) return url.includes('_http_') ? 'node:http' : url.includes('stream') ? 'node streams' : 'node core';
  const own = /\/((?:packages|write-services|gateway|read-model)\/[^/]+(?:\/src\/[^/]+)?)/.exec(url);
  return own ? (own[1] as string) : 'other';
}
