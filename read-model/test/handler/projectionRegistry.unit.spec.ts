import { describe, expect, it } from '@jest/globals';
import { DeliveryEvent, DispatchEvent, DomainEvent, OrderEvent } from '@delivery/contracts';
import { PROJECTIONS, ProjectionRegistry, planProjection } from '../../src/handler/index.ts';
import { Journey } from '../support/journey.ts';

const typesOf = (union: { options: readonly { shape: { eventType: { value: string } } }[] }) => union.options.map((o) => o.shape.eventType.value).sort();
const byName = (name: string) => PROJECTIONS.find((p) => p.name === name)!;

describe('ProjectionRegistry', () => {
  it('given every event type of the contracts then each is routed to at least one projection', () => {
    const registry = new ProjectionRegistry();
    for (const type of typesOf(DomainEvent)) expect([type, registry.projectionsFor({ eventType: type as DomainEvent['eventType'] }).length > 0]).toEqual([type, true]);
    expect(registry.handledTypes().sort()).toEqual(typesOf(DomainEvent));
  });

  it('given each projection then it declares exactly the event types of its aggregate', () => {
    expect([...byName('order-view.order').canHandle].sort()).toEqual(typesOf(OrderEvent));
    for (const name of ['dispatch-view', 'order-view.dispatches']) expect([...byName(name).canHandle].sort()).toEqual(typesOf(DispatchEvent));
    for (const name of ['delivery-view', 'order-view.deliveries']) expect([...byName(name).canHandle].sort()).toEqual(typesOf(DeliveryEvent));
  });

  it('given a dispatch event then it lands in its own view and in its part of the order view', () => {
    const j = new Journey().place().requestDispatch();
    const routed = new ProjectionRegistry().projectionsFor(j.events[1]!).map((p) => [p.view, p.target(j.events[1]!)]);
    expect(routed).toEqual([
      ['dispatches', { id: j.dispatchId, part: '' }],
      ['orders', { id: j.orderId, part: `dispatches.${j.dispatchId}` }],
    ]);
  });

  it('given a registry without a projection for an event type then the event is rejected, not dropped', () => {
    const onlyOrders = new ProjectionRegistry([byName('order-view.order')]);
    const j = new Journey().place().requestDispatch();
    const plan = planProjection(j.events, onlyOrders);
    expect(plan.writes.map((w) => [w.view, w.part])).toEqual([['orders', 'order']]);
    expect(plan.rejected).toEqual([{ event: j.events[1], reason: 'no projection handles DispatchRequested' }]);
  });
});
