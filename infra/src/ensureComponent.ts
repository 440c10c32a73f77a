import { setTimeout as sleep } from 'node:timers/promises';
import type { Component } from './components/component.ts';
import { hostPortOf, isLoopback } from './addresses.ts';
import { tailLines } from './process/tailLines.ts';

export interface ComponentStatus {
  name: Component['name'];
  address: string;
  logFile: string;
  /** `reused`: it already answered; `started`: this call started it (and installed it if needed). */
  outcome: 'reused' | 'started';
  ms: number;
}

/** A component that could not be installed or started; the message names it and shows its log. */
export class ComponentStartError extends Error {
  readonly component: Component['name'];
  readonly logFile: string;

  constructor(component: Component, reason: string) {
    const tail = tailLines(component.logFile, 20);
    super(
      `${component.name} (${component.address}) ${reason}\n` +
        `log: ${component.logFile}\n` +
        (tail === '' ? '(the log is empty)' : `--- last lines of the log ---\n${tail}`),
    );
    this.name = 'ComponentStartError';
    this.component = component.name;
    this.logFile = component.logFile;
  }
}

/**
 * Makes one component answer: reuse it if it already does, else install it when missing,
 * start it and wait for a real readiness check, within the component's deadline.
 */
export async function ensureComponent(component: Component): Promise<ComponentStatus> {
  const startedAt = Date.now();
  const status = (outcome: ComponentStatus['outcome']): ComponentStatus => ({
    name: component.name,
    address: component.address,
    logFile: component.logFile,
    outcome,
    ms: Date.now() - startedAt,
  });

  if (await component.isReady()) return status('reused');
  if (!isLoopback(hostPortOf(component.address, 0).host)) {
    throw new ComponentStartError(component, 'does not answer, and a non-local address is not ours to start');
  }
  try {
    if (!(await component.isInstalled())) await component.install();
    // Our process may be alive but still starting (an earlier call): wait for it, don't spawn twice.
    if (!component.isRunning()) await component.start();
  } catch (error) {
    throw new ComponentStartError(component, `failed to install or start: ${(error as Error).message}`);
  }

  const outcome = await awaitReadiness(component);
  if (outcome !== 'ready') {
    throw new ComponentStartError(
      component,
      outcome === 'exited' ? 'exited during start' : `was not ready within ${component.startTimeoutMs / 1000} s`,
    );
  }
  return status('started');
}

/** Polls readiness until the deadline; a process that died will not become ready: stop early. */
async function awaitReadiness(component: Component): Promise<'ready' | 'exited' | 'timeout'> {
  const deadline = Date.now() + component.startTimeoutMs;
  for (;;) {
    if (await component.isReady()) return 'ready';
    if (!component.isRunning()) return 'exited';
    if (Date.now() >= deadline) return 'timeout';
    await sleep(100);
  }
}
