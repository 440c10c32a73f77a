import { Counter, type Registry } from '@delivery/runtime-kit';

export type CommandCounter = Counter<'command' | 'outcome'>;

export function commandCounter(registry: Registry): CommandCounter {
  return new Counter({
    name: 'commands_total',
    help: 'Commands handled, by command type and outcome',
    labelNames: ['command', 'outcome'] as const,
    registers: [registry],
  });
}
