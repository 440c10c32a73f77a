import { randomUUID } from 'node:crypto';
import { placeOrderBody } from '@delivery/test-support';

/**
 * An open-loop load of whole journeys through the gateway, at a fixed rate of commands per
 * second (architecture.md's commands): place → accept → request a rider → the rider accepts
 * → delivery → pickup → two location updates → complete, and some cancellations. A journey
 * moves on only after its last command got a 2xx; a refused or timed-out command ends it.
 * The client never retries (it sends no Idempotency-Key) and counts a timeout as a failure.
 */

export type AggregateKind = 'order' | 'dispatch' | 'delivery';

export interface CommandRecord {
  requestId: string;
  step: string;
  method: string;
  path: string;
  /** HTTP status, or 0 for a timeout or a connection failure. */
  status: number;
  latencyMs: number;
  sentAt: number;
  /** A refusal's problem code and Retry-After, as the client saw them. */
  code?: string;
  retryAfter?: string;
  /** The aggregate the command created or changed, and the version it answered. */
  aggregate?: { kind: AggregateKind; id: string; version: number };
  /** The journey's order (its view shows the dispatch and the delivery too), once placed. */
  orderId?: string;
}

interface Journey {
  orderId?: string;
  dispatchId?: string;
  deliveryId?: string;
  next: number;
  busy: boolean;
  done: boolean;
  plan: readonly Step[];
  /** When its last command was sent: the journey that waited longest goes next. */
  lastSentAt: number;
}

type Step = 'place' | 'accept' | 'dispatch' | 'riderAccepts' | 'deliver' | 'pickUp' | 'move' | 'complete' | 'cancelOrder' | 'cancelDispatch';

const FULL: readonly Step[] = ['place', 'accept', 'dispatch', 'riderAccepts', 'deliver', 'pickUp', 'move', 'move', 'complete'];
const CANCELLED_EARLY: readonly Step[] = ['place', 'accept', 'cancelOrder'];
const CANCELLED_WITH_RIDER: readonly Step[] = ['place', 'accept', 'dispatch', 'riderAccepts', 'cancelOrder'];
const RIDER_DROPS: readonly Step[] = ['place', 'accept', 'dispatch', 'riderAccepts', 'cancelDispatch'];

export interface LoadOptions {
  gateway: string;
  commandsPerSecond: number;
  /** Per-command client deadline: longer than any route's timeout, so a hang shows as one. */
  timeoutMs?: number;
  /** Journeys under way at once (default 8): many aggregates change across a fault's start and end. */
  concurrentJourneys?: number;
}

export class CommandLoad {
  readonly records: CommandRecord[] = [];
  readonly #options: LoadOptions;
  readonly #journeys: Journey[] = [];
  #timer: NodeJS.Timeout | undefined;
  #inFlight = new Set<Promise<void>>();
  #count = 0;

  constructor(options: LoadOptions) {
    this.#options = options;
  }

  start(): void {
    this.#timer = setInterval(() => this.#tick(), 1000 / this.#options.commandsPerSecond);
  }

  /** Stops issuing commands and waits for those in flight. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all([...this.#inFlight]);
  }

  sent(): number {
    return this.records.length + this.#inFlight.size;
  }

  /** One command per tick: the idle journey that waited longest moves on, or a new one starts (open loop: a tick is never skipped). */
  #tick(): void {
    let journey: Journey | undefined;
    if (this.#journeys.length >= (this.#options.concurrentJourneys ?? 8)) {
      for (const j of this.#journeys) if (!j.busy && (!journey || j.lastSentAt < journey.lastSentAt)) journey = j;
    }
    if (!journey) {
      const plan = [FULL, FULL, FULL, FULL, CANCELLED_EARLY, CANCELLED_WITH_RIDER, RIDER_DROPS][this.#count++ % 7] ?? FULL;
      journey = { next: 0, busy: false, done: false, plan, lastSentAt: 0 };
      this.#journeys.push(journey);
    }
    const current = journey;
    current.busy = true;
    current.lastSentAt = Date.now();
    const sending = this.#send(current).finally(() => {
      current.busy = false;
      if (current.done) this.#journeys.splice(this.#journeys.indexOf(current), 1);
      this.#inFlight.delete(sending);
    });
    this.#inFlight.add(sending);
  }

  async #send(journey: Journey): Promise<void> {
    const step = journey.plan[journey.next];
    if (step === undefined) {
      journey.done = true;
      return;
    }
    const { method, path, body, kind } = this.#command(journey, step);
    const requestId = `drill-${randomUUID()}`;
    const sentAt = Date.now();
    let status = 0;
    let answer: Record<string, unknown> = {};
    let retryAfter: string | undefined;
    try {
      const response = await fetch(`${this.#options.gateway}${path}`, {
        method,
        headers: { 'content-type': 'application/json', 'x-request-id': requestId },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 15_000),
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after') ?? undefined;
      answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    } catch {
      status = 0;
    }
    const record: CommandRecord = { requestId, step, method, path, status, latencyMs: Date.now() - sentAt, sentAt };
    if (journey.orderId !== undefined) record.orderId = journey.orderId;
    if (typeof answer.code === 'string') record.code = answer.code;
    if (retryAfter !== undefined) record.retryAfter = retryAfter;
    if (status >= 200 && status < 300) {
      const id = answer[`${kind}Id`] as string;
      if (kind === 'order') record.orderId = journey.orderId = id;
      if (kind === 'dispatch') journey.dispatchId = id;
      if (kind === 'delivery') journey.deliveryId = id;
      record.aggregate = { kind, id, version: answer.version as number };
      journey.next++;
      if (journey.next >= journey.plan.length) journey.done = true;
    } else {
      journey.done = true;
    }
    this.records.push(record);
  }

  #command(j: Journey, step: Step): { method: string; path: string; body: unknown; kind: AggregateKind } {
    const rider = 'rider-drill';
    switch (step) {
      case 'place':
        return { method: 'POST', path: '/api/v1/orders', body: placeOrderBody({ customerId: 'customer-drill' }), kind: 'order' };
      case 'accept':
        return { method: 'POST', path: `/api/v1/orders/${j.orderId}/accept`, body: {}, kind: 'order' };
      case 'cancelOrder':
        return { method: 'POST', path: `/api/v1/orders/${j.orderId}/cancel`, body: { reason: 'drill' }, kind: 'order' };
      case 'dispatch':
        return { method: 'POST', path: '/api/v1/dispatches', body: { orderId: j.orderId, pickup: { lat: 37.5, lng: 127 }, dropoff: { lat: 37.51, lng: 127.01 } }, kind: 'dispatch' };
      case 'riderAccepts':
        return { method: 'POST', path: `/api/v1/dispatches/${j.dispatchId}/accept`, body: { riderId: rider }, kind: 'dispatch' };
      case 'cancelDispatch':
        return { method: 'POST', path: `/api/v1/dispatches/${j.dispatchId}/cancel`, body: { reason: 'drill' }, kind: 'dispatch' };
      case 'deliver':
        return { method: 'POST', path: '/api/v1/deliveries', body: { orderId: j.orderId, dispatchId: j.dispatchId, riderId: rider }, kind: 'delivery' };
      case 'pickUp':
        return { method: 'POST', path: `/api/v1/deliveries/${j.deliveryId}/pickup`, body: {}, kind: 'delivery' };
      case 'move':
        return { method: 'PUT', path: `/api/v1/deliveries/${j.deliveryId}/location`, body: { lat: 37.505, lng: 127.005 }, kind: 'delivery' };
      case 'complete':
        return { method: 'POST', path: `/api/v1/deliveries/${j.deliveryId}/complete`, body: {}, kind: 'delivery' };
    }
  }
}
