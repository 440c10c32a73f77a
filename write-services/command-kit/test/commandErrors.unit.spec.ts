import { describe, expect, it } from '@jest/globals';
import { Problem } from '@delivery/runtime-kit';
import { CommandRejected, ruleViolated, VersionConflict } from '../src/domain/commandRejected.ts';
import { IdempotencyClaimLost } from '../src/idempotency/idempotencyStore.ts';
import { commandErrorMeaning } from '../src/service/commandErrors.ts';

describe('commandErrorMeaning (the one error table)', () => {
  it.each([
    ['a decider refusal', new CommandRejected('INVALID_TRANSITION', 'no'), 'invalid_transition', 'INVALID_TRANSITION', 'keep-answer', false],
    ['a missing aggregate', new CommandRejected('NOT_FOUND', 'no'), 'not_found', 'NOT_FOUND', 'keep-answer', false],
    ['a rule across aggregates', ruleViolated('ORDER_NOT_ACCEPTED', 'no'), 'rule_violated', 'RULE_VIOLATED', 'keep-answer', false],
    ['a stale version', new VersionConflict('a', 1), 'version_conflict', 'VERSION_CONFLICT', 'release', true],
    ['a claim taken over', new IdempotencyClaimLost(), 'idempotency_in_flight', 'IDEMPOTENCY_IN_FLIGHT', 'leave', true],
    ['a database outage', new Error('connect ECONNREFUSED 127.0.0.1:3306'), 'unavailable', undefined, 'release', true],
    ['an owner that cannot answer', new Problem('DEPENDENCY_UNAVAILABLE', 'down'), 'dependency_unavailable', undefined, 'release', true],
    ['a key reused with another body', new Problem('IDEMPOTENCY_KEY_REUSED', 'no'), 'idempotency_mismatch', undefined, 'release', false],
    ['an invalid request', new Problem('VALIDATION_FAILED', 'no'), 'invalid', undefined, 'release', false],
    ['a bug', new TypeError('x is undefined'), 'error', undefined, 'release', true],
  ])('%s', (_case, error, outcome, refusalCode, claim, retriable) => {
    const meaning = commandErrorMeaning(error);
    expect({ outcome: meaning.outcome, refusal: meaning.refusal?.code, claim: meaning.claim, retriable: meaning.retriable }).toEqual({
      outcome,
      refusal: refusalCode,
      claim,
      retriable,
    });
  });

  it('names the rule a refusal broke', () => {
    expect(commandErrorMeaning(ruleViolated('ORDER_NOT_ACCEPTED', 'no')).refusal?.toBody('/x')).toMatchObject({ rule: 'ORDER_NOT_ACCEPTED', status: 409 });
  });
});
