import type { DispatchSnapshot } from '@delivery/contracts';

/** The dispatch aggregate's state: the query API's snapshot plus why it was cancelled. */
export type Dispatch = DispatchSnapshot & { cancelReason: string | null };
