/**
 * Why a decider refused a command. The HTTP layer maps these to the problem catalogue;
 * the domain never sees HTTP.
 */
export class CommandRejected extends Error {
  readonly reason: 'NOT_FOUND' | 'INVALID_TRANSITION';
  readonly retriable = false;

  constructor(reason: CommandRejected['reason'], message: string) {
    super(message);
    this.name = 'CommandRejected';
    this.reason = reason;
  }
}

/** Someone else changed the aggregate between our read and our write. Retriable. */
export class VersionConflict extends Error {
  readonly retriable = true;

  constructor(aggregateId: string, expectedVersion: number) {
    super(`aggregate ${aggregateId} is no longer at version ${expectedVersion}`);
    this.name = 'VersionConflict';
  }
}
