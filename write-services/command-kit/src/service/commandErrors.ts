import { Problem, type ProblemCode } from '@delivery/runtime-kit';
import { isDatabaseUnavailable } from '../db/databaseUnavailable.ts';
import { CommandRejected, VersionConflict } from '../domain/commandRejected.ts';
import { IdempotencyClaimLost } from '../idempotency/idempotencyStore.ts';

/** The `outcome` label of `commands_total`. */
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

/**
 * What an error means for a command:
 * - `outcome`: its `commands_total` label;
 * - `refusal`: the problem the command handler answers itself (a domain refusal, with the
 *   command's canonical path as instance); undefined: the error goes on to the error handler
 *   (a Problem it carries, a database outage's 503, a bug's 500);
 * - `claim`: what becomes of an Idempotency-Key claim — `keep-answer` (a definite answer,
 *   stored and replayed), `release` (nothing happened: a retry runs the command), `leave`
 *   (another request owns the claim now);
 * - `retriable`: a retry of the same request may succeed.
 */
export interface CommandErrorMeaning {
  outcome: CommandOutcome;
  refusal: Problem | undefined;
  claim: 'keep-answer' | 'release' | 'leave';
  retriable: boolean;
}

const REJECTED_OUTCOME: Record<CommandRejected['reason'], CommandOutcome> = {
  NOT_FOUND: 'not_found',
  INVALID_TRANSITION: 'invalid_transition',
  RULE_VIOLATED: 'rule_violated',
  UNKNOWN_REFERENCE: 'unknown_reference',
};

/** Every problem a command's execution may answer (the table below, the rules' owners, the database): its OpenAPI responses. */
export const COMMAND_PROBLEMS: readonly ProblemCode[] = [
  ...(Object.keys(REJECTED_OUTCOME) as CommandRejected['reason'][]),
  'VERSION_CONFLICT',
  'IDEMPOTENCY_IN_FLIGHT',
  'IDEMPOTENCY_KEY_REUSED',
  'DEPENDENCY_UNAVAILABLE',
  'SERVICE_UNAVAILABLE',
  'INTERNAL',
];

const PROBLEM_OUTCOME: Partial<Record<string, CommandOutcome>> = {
  IDEMPOTENCY_KEY_REUSED: 'idempotency_mismatch',
  IDEMPOTENCY_IN_FLIGHT: 'idempotency_in_flight',
  DEPENDENCY_UNAVAILABLE: 'dependency_unavailable',
};

/** The one table, first match wins: every error a command can end with, and what it means. */
const COMMAND_ERRORS: readonly ((error: unknown) => CommandErrorMeaning | undefined)[] = [
  (error) => (isDatabaseUnavailable(error) ? { outcome: 'unavailable', refusal: undefined, claim: 'release', retriable: true } : undefined),
  (error) =>
    error instanceof CommandRejected
      ? {
          outcome: REJECTED_OUTCOME[error.reason],
          refusal: new Problem(error.reason, error.message, error.rule === undefined ? {} : { extensions: { rule: error.rule } }),
          claim: 'keep-answer',
          retriable: false,
        }
      : undefined,
  (error) =>
    error instanceof VersionConflict
      ? {
          outcome: 'version_conflict',
          refusal: new Problem('VERSION_CONFLICT', 'The aggregate was changed by another request; read it again and retry.'),
          claim: 'release',
          retriable: true,
        }
      : undefined,
  (error) =>
    error instanceof IdempotencyClaimLost
      ? {
          outcome: 'idempotency_in_flight',
          refusal: new Problem('IDEMPOTENCY_IN_FLIGHT', 'Another request took over this Idempotency-Key.'),
          claim: 'leave',
          retriable: true,
        }
      : undefined,
  (error) =>
    error instanceof Problem
      ? {
          outcome: PROBLEM_OUTCOME[error.code] ?? (error.status < 500 ? 'invalid' : 'error'),
          refusal: undefined,
          claim: 'release',
          retriable: error.status >= 500 || error.code === 'IDEMPOTENCY_IN_FLIGHT',
        }
      : undefined,
];

const UNEXPECTED: CommandErrorMeaning = { outcome: 'error', refusal: undefined, claim: 'release', retriable: true };

export function commandErrorMeaning(error: unknown): CommandErrorMeaning {
  for (const row of COMMAND_ERRORS) {
    const meaning = row(error);
    if (meaning !== undefined) return meaning;
  }
  return UNEXPECTED;
}
