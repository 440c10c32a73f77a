import { describe, expect, it } from '@jest/globals';
import { deriveStage, planProjection, type OrderDocument } from '../../src/handler/index.ts';
import { Journey } from '../support/journey.ts';

/** Applies planned writes to an in-memory document the way the guarded upserts do. */
function project(events: Journey['events']): OrderDocument {
  type Node = Record<string, unknown>;
  const doc: Node = {};
  for (const event of events) {
    for (const write of planProjection([event]).writes.filter((w) => w.view === 'orders')) {
      let part = doc;
      for (const segment of write.part.split('.')) part = (part[segment] ??= {}) as Node;
      if (((part['version'] as number | undefined) ?? 0) < write.version) Object.assign(part, write.set);
    }
  }
  return { _id: 'order', ...doc };
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('deriveStage', () => {
  it('given only dispatch events when derived then there is no stage (the order is not known yet)', () => {
    const j = new Journey().place().requestDispatch().acceptDispatch();
    expect(deriveStage(project(j.events.slice(1)))).toBeUndefined();
  });
  it('given OrderPlaced when derived then PLACED', () => {
    expect(deriveStage(project(new Journey().place().events))).toBe('PLACED');
  });
  it('given OrderAccepted when derived then ACCEPTED', () => {
    expect(deriveStage(project(new Journey().place().accept().events))).toBe('ACCEPTED');
  });
  it('given a requested dispatch only when derived then still ACCEPTED', () => {
    expect(deriveStage(project(new Journey().place().accept().requestDispatch().events))).toBe('ACCEPTED');
  });
  it('given DispatchAccepted when derived then RIDER_ASSIGNED', () => {
    expect(deriveStage(project(new Journey().place().accept().requestDispatch().acceptDispatch().events))).toBe('RIDER_ASSIGNED');
  });
  it('given DispatchCancelled after DispatchAccepted when derived then back to ACCEPTED', () => {
    expect(deriveStage(project(new Journey().place().accept().requestDispatch().acceptDispatch().cancelDispatch().events))).toBe('ACCEPTED');
  });
  it('given a delivery without an accepted dispatch when derived then RIDER_ASSIGNED (a delivery exists)', () => {
    expect(deriveStage(project(new Journey().place().createDelivery().events))).toBe('RIDER_ASSIGNED');
  });
  it('given DeliveryPickedUp when derived then PICKED_UP', () => {
    expect(deriveStage(project(new Journey().place().accept().createDelivery().pickUp().events))).toBe('PICKED_UP');
  });
  it('given DeliveryCompleted when derived then DELIVERED', () => {
    expect(deriveStage(project(Journey.delivered().events))).toBe('DELIVERED');
  });
  it('given OrderCancelled when derived then CANCELLED, whatever else happened', () => {
    expect(deriveStage(project(new Journey().place().accept().requestDispatch().acceptDispatch().createDelivery().cancel().events))).toBe('CANCELLED');
  });
  it('given DeliveryCancelled and DispatchCancelled on an ACCEPTED order when derived then ACCEPTED (a cancelled delivery does not count)', () => {
    const j = new Journey().place().accept().requestDispatch().acceptDispatch().createDelivery().cancelDispatch().cancelDelivery();
    expect(deriveStage(project(j.events))).toBe('ACCEPTED');
  });
  it('given DeliveryCancelled while its dispatch is still accepted when derived then RIDER_ASSIGNED (from the dispatch)', () => {
    const j = new Journey().place().accept().requestDispatch().acceptDispatch().createDelivery().cancelDelivery();
    expect(deriveStage(project(j.events))).toBe('RIDER_ASSIGNED');
  });
  it('given a cancelled delivery and a new accepted dispatch when derived then RIDER_ASSIGNED', () => {
    const j = new Journey().place().accept().requestDispatch().acceptDispatch().createDelivery().cancelDispatch().cancelDelivery().redispatch().acceptDispatch();
    expect(deriveStage(project(j.events))).toBe('RIDER_ASSIGNED');
  });
  it('given a cancelled delivery with a cancelled dispatch in every order across aggregates when derived then always ACCEPTED', () => {
    const j = new Journey().place().accept().requestDispatch().acceptDispatch().createDelivery().cancelDispatch().cancelDelivery();
    const byAggregate = [...Map.groupBy(j.events, (e) => e.aggregateId).values()];
    const stages = new Set(permutations(byAggregate).map((order) => deriveStage(project(order.flat()))));
    expect([...stages]).toEqual(['ACCEPTED']);
  });
  it('given the same events in every order across aggregates when derived then the same stage', () => {
    const j = new Journey().place().accept().requestDispatch().acceptDispatch().createDelivery().pickUp();
    const byAggregate = [...Map.groupBy(j.events, (e) => e.aggregateId).values()];
    const stages = new Set(permutations(byAggregate).map((order) => deriveStage(project(order.flat()))));
    expect([...stages]).toEqual(['PICKED_UP']);
  });
});
