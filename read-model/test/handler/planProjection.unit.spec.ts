import { describe, expect, it } from '@jest/globals';
import { planProjection } from '../../src/handler/index.ts';
import { Journey } from '../support/journey.ts';

describe('planProjection', () => {
  it('given an order event when planned then one write to the order part of its order view', () => {
    const j = new Journey().place();
    const { writes, rejected } = planProjection(j.events);
    expect(rejected).toEqual([]);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ view: 'orders', id: j.orderId, part: 'order', version: 1, set: { customerId: j.customerId, status: 'PLACED' } });
  });

  it('given a dispatch event when planned then its dispatch view and the dispatch part of its order view', () => {
    const j = new Journey().place().requestDispatch();
    const writes = planProjection(j.events.slice(1)).writes;
    expect(writes.map((w) => [w.view, w.id, w.part])).toEqual([
      ['dispatches', j.dispatchId, ''],
      ['orders', j.orderId, `dispatches.${j.dispatchId}`],
    ]);
    expect(Object.keys(writes[1]!.set).sort()).toEqual(['createdAt', 'riderId', 'status', 'updatedAt', 'version']);
  });

  it('given several events of one aggregate when planned then one write folding them in version order', () => {
    const j = new Journey().place('a').update('b').accept();
    const shuffled = [j.events[2]!, j.events[0]!, j.events[1]!];
    const [write] = planProjection(shuffled).writes;
    expect(write).toMatchObject({ version: 3, set: { requestNote: 'b', status: 'ACCEPTED', customerId: j.customerId } });
    expect(write!.events.map((e) => e.version)).toEqual([1, 2, 3]);
  });

  it('given the same event twice in a batch when planned then it counts once', () => {
    const j = new Journey().place().accept();
    const [write] = planProjection([...j.events, ...j.events]).writes;
    expect(write!.events).toHaveLength(2);
  });

  it('given a location update when planned then the delivery view and the order view carry the location and its time', () => {
    const j = new Journey().place().createDelivery().moveTo(37.1, 127.1);
    const writes = planProjection(j.events.slice(2)).writes;
    const at = new Date(j.events[2]!.occurredAt);
    for (const write of writes) expect(write.set['location']).toEqual({ lat: 37.1, lng: 127.1, updatedAt: at });
  });

  it('given DeliveryCancelled when planned then the delivery view and the order view part get CANCELLED and the reason', () => {
    const j = new Journey().place().createDelivery().cancelDelivery('order cancelled');
    const { writes, rejected } = planProjection(j.events.slice(2));
    expect(rejected).toEqual([]);
    expect(writes.map((w) => [w.view, w.id, w.part])).toEqual([
      ['deliveries', j.deliveryId, ''],
      ['orders', j.orderId, `deliveries.${j.deliveryId}`],
    ]);
    for (const write of writes) {
      expect(write).toMatchObject({ version: 2, set: { status: 'CANCELLED', cancelReason: 'order cancelled', dispatchId: j.dispatchId } });
      expect(write.set).not.toHaveProperty('location');
    }
  });

  it('given OrderUpdated without a note when planned then the note is left alone', () => {
    const j = new Journey().place('keep me');
    const event = { ...j.events[0]!, eventType: 'OrderUpdated', version: 2, payload: { deliveryAddress: { line: '2 Side St', lat: 1, lng: 2 } } } as never;
    const [write] = planProjection([event]).writes;
    expect(write!.set).not.toHaveProperty('requestNote');
    expect(write!.set['deliveryAddress']).toEqual({ line: '2 Side St', lat: 1, lng: 2 });
  });

  it('given an event no projection handles when planned then it is rejected with a reason and nothing is written', () => {
    const j = new Journey().place();
    const unknown = { ...j.events[0]!, eventType: 'OrderTeleported' } as never;
    const plan = planProjection([unknown]);
    expect(plan.writes).toEqual([]);
    expect(plan.rejected[0]!.reason).toContain('OrderTeleported');
  });
});
