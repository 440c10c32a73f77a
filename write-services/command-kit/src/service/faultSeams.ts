import type { RelayFaults } from '../outbox/outboxRelay.ts';

/**
 * Faults a test or a fault drill injects into a running write service. Deliberately not
 * part of `WriteServiceConfig`: production configuration has no field for them. In-process
 * tests pass them to `startWriteService`; a drill reaches a real process through one
 * environment variable, which a production environment refuses (see `readFaultSeams`).
 */
export interface FaultSeams {
  relay?: RelayFaults;
}

/** `DELIVERY_FAULT_SEAMS=crash-after-publish`: the process SIGKILLs itself after Kafka acknowledged a batch, before marking it sent. */
export const FAULT_SEAMS_VARIABLE = 'DELIVERY_FAULT_SEAMS';

const SEAMS: Record<string, FaultSeams> = {
  'crash-after-publish': { relay: { crashAfterPublish: 'kill-process' } },
};

export class FaultSeamsRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultSeamsRefused';
  }
}

/**
 * The seams the environment enables; none unless `DELIVERY_FAULT_SEAMS` names some. Refused
 * (thrown, so the service does not start) under `NODE_ENV=production`, and for a name it
 * does not know: a typo must not pass silently as "no fault".
 */
export function readFaultSeams(environment: NodeJS.ProcessEnv = process.env): FaultSeams {
  const value = environment[FAULT_SEAMS_VARIABLE]?.trim();
  if (!value) return {};
  if (environment.NODE_ENV === 'production') {
    throw new FaultSeamsRefused(`${FAULT_SEAMS_VARIABLE} is set, and fault seams are refused under NODE_ENV=production`);
  }
  const seams: FaultSeams = {};
  for (const name of value.split(',').map((s) => s.trim())) {
    const seam = SEAMS[name];
    if (!seam) throw new FaultSeamsRefused(`${FAULT_SEAMS_VARIABLE}: unknown seam "${name}" (known: ${Object.keys(SEAMS).join(', ')})`);
    Object.assign(seams, { relay: { ...seams.relay, ...seam.relay } });
  }
  return seams;
}
