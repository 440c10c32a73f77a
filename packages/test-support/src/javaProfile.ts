import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ProfileSummary } from './cpuProfile.ts';

const run = promisify(execFile);

/**
 * A Java process's CPU profile over a benchmark's window, from the JDK's own flight recorder
 * (`jcmd <pid> JFR.start` … `JFR.stop`, the `profile` settings: a Java stack every 10 ms per
 * running thread): where the MongoDB stand-in's or Kafka's CPU goes, beside the Node
 * services' `--cpu-prof`. Needs the JDK's `jcmd` and `jfr` on PATH.
 */
export interface JavaSummaryOptions {
  topAreas?: number;
  topFrames?: number;
  /** Only samples taken in this span (wall clock, ms since the epoch, as `Date.now()`). */
  window?: { startMs: number; endMs: number };
}

export interface JavaRecording {
  /** Stops the recording and summarises its execution samples. */
  stop(options?: JavaSummaryOptions): Promise<ProfileSummary>;
}

export async function startJavaRecording(pid: number, file: string): Promise<JavaRecording> {
  const name = `bench-${process.pid}-${pid}`;
  await run('jcmd', [String(pid), 'JFR.start', `name=${name}`, 'settings=profile', `filename=${file}`]);
  return {
    stop: async (options = {}) => {
      await run('jcmd', [String(pid), 'JFR.stop', `name=${name}`]);
      const { stdout } = await run('jfr', ['print', '--json', '--events', 'jdk.ExecutionSample', '--stack-depth', '48', file], {
        maxBuffer: 1 << 30,
      });
      return summariseJavaSamples(JSON.parse(stdout) as JfrDocument, options);
    },
  };
}

interface JfrFrame {
  method?: { name?: string; type?: { name?: string } };
}

interface JfrDocument {
  recording?: { events?: { values?: { startTime?: string; stackTrace?: { frames?: JfrFrame[] } } }[] };
}

/** Own time by package (its first three segments) of the sampled top frame; inclusive share of the busiest methods. */
export function summariseJavaSamples(document: JfrDocument, options: JavaSummaryOptions = {}): ProfileSummary {
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const event of document.recording?.events ?? []) {
    const frames = event.values?.stackTrace?.frames ?? [];
    if (frames.length === 0) continue;
    if (options.window) {
      const at = Date.parse(event.values?.startTime ?? '');
      if (!(at >= options.window.startMs && at <= options.window.endMs)) continue;
    }
    busy += 1;
    const top = frames[0] as JfrFrame;
    const area = packageOf(typeName(top));
    areas.set(area, (areas.get(area) ?? 0) + 1);
    const seen = new Set<string>();
    for (const frame of frames) {
      const type = typeName(frame);
      const key = `${type.split('.').at(-1) ?? type}.${frame.method?.name ?? '?'}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + 1);
    }
  }
  const share = (n: number) => (busy === 0 ? 0 : Math.round((1000 * n) / busy) / 10);
  const top = (map: Map<string, number>, count: number): [string, number][] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([key, n]) => [key, share(n)]);
  return {
    busySamples: busy,
    areas: top(areas, options.topAreas ?? 10),
    frames: top(
      new Map([...inclusive].filter(([key]) => !THREAD_ROOTS.some((root) => key.startsWith(root)))),
      options.topFrames ?? 10,
    ),
  };
}

/** Frames at the bottom of every thread's stack: they say nothing about where the time goes. */
const THREAD_ROOTS = ['Thread.run', 'Thread.runWith', 'ThreadPoolExecutor', 'ThreadPoolExecutor$Worker.run', 'FastThreadLocalRunnable.run', 'ThreadExecutorMap'];

/** The frame's class, dotted (`jfr print --json` writes `java/io/ObjectOutputStream`). */
function typeName(frame: JfrFrame): string {
  return (frame.method?.type?.name ?? '(unknown)').replaceAll('/', '.');
}

function packageOf(type: string): string {
  const parts = type.split('.');
  return parts.length <= 1 ? type : parts.slice(0, Math.min(3, parts.length - 1)).join('.');
}
