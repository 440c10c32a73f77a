import type { z } from 'zod';
import type { Command } from '../domain/decider.ts';

export type CommandMethod = 'post' | 'put' | 'patch' | 'delete';

/**
 * One row of a service's command table: how a command arrives over HTTP. The body schema
 * validates the request and feeds `/openapi.json`; nothing else describes the body.
 */
export interface CommandRoute<C extends Command> {
  readonly name: C['type'];
  readonly method: CommandMethod;
  /** Below `<collection>/{id}` (e.g. `/accept`, or `` for the aggregate itself); ignored when `creates`. */
  readonly action: string;
  /** Creates the aggregate: posted to the collection, answers 201 with a new id. */
  readonly creates: boolean;
  readonly summary: string;
  readonly body: z.ZodType;
  /** Builds the command from a body that passed `body`. */
  toCommand(body: unknown): C;
}

export function defineCommand<C extends Command, B extends z.ZodType>(spec: {
  name: C['type'];
  method: CommandMethod;
  action?: string;
  creates?: boolean;
  summary: string;
  body: B;
  toCommand: (body: z.output<B>) => C;
}): CommandRoute<C> {
  return {
    name: spec.name,
    method: spec.method,
    action: spec.action ?? '',
    creates: spec.creates ?? false,
    summary: spec.summary,
    body: spec.body,
    toCommand: (body) => spec.toCommand(body as z.output<B>),
  };
}
