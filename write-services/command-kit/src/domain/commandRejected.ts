/**
 * Why a decider refused a command. The HTTP layer maps these to the problem catalogue;
 * the domain never sees HTTP.
 */
export class CommandRejected extends Error {
  readonly reason: 'NOT_FOUND' | 'INVALID_TRANSITION' | 'RULE_VIOLATED' | 'UNKNOWN_REFERENCE';
  /** For RULE_VIOLATED: the rule's name (architecture.md, "Rules across aggregates"), e.g. `ORDER_NOT_ACCEPTED`. */
  readonly rule: string | undefined;
  readonly retriable = false;

  constructor(reason: CommandRejected['reason'], message: string, rule?: string) {
    super(message);
    this.name = 'CommandRejected';
    this.reason = reason;
    this.rule = rule;
  }
}

/** A rule spanning aggregates forbids the command (409, the rule named). */
export const ruleViolated = (rule: string, message: string) => new CommandRejected('RULE_VIOLATED', message, rule);

/** The command names another aggregate that does not exist (422). */
export const unknownReference = (message: string) => new CommandRejected('UNKNOWN_REFERENCE', message);

/** Someone else changed the aggregate between our read and our write. Retriable. */
export class VersionConflict extends Error {
  readonly retriable = true;

  constructor(aggregateId: string, expectedVersion: number) {
    super(`aggregate ${aggregateId} is no longer at version ${expectedVersion}`);
    this.name = 'VersionConflict';
  }
}
