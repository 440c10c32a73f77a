import { Counter, type Registry } from '@delivery/runtime-kit';

export type CommandOutcome =
  | 'accepted'
  | 'replayed'
  | 'invalid'
  | 'not_found'
  | 'invalid_transition'
  | 'rule_violated'
  | 'unknown_reference'
  | 'dependency_unavailable'
  | 'version_conflict'
  | 'idempotency_mismatch'
  | 'idempotency_in_flight'
  | 'unavailable'
  | 'error';

export type CommandCounter = Counter<'command' | 'outcome'>;

export function commandCounter(registry: Registry): CommandCounter {
  return new Counter({
    name: 'commands_total',
    help: 'Commands handled, by command type and outcome',
    labelNames: ['command', 'outcome'] as const,
    registers: [registry],
  });
}
