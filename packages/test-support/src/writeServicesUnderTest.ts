import type { WriteServiceConfig, WriteServiceName } from '@delivery/command-kit';
import { freePort } from './freePort.ts';
import { serviceUnderTest, type ServiceUnderTest, type StartService } from './serviceUnderTest.ts';

export type WriteServicesUnderTest = Record<WriteServiceName, ServiceUnderTest> & { stop(): Promise<void> };

/**
 * The three write services wired to each other (each asks the others when a rule spans
 * aggregates), each on a schema of its own, on ports chosen before any starts so that each
 * knows the others' addresses. `config` applies to all three (per service in `each`).
 */
export async function writeServicesUnderTest(
  start: Record<WriteServiceName, StartService>,
  config: Partial<WriteServiceConfig> = {},
  each: Partial<Record<WriteServiceName, Partial<WriteServiceConfig>>> = {},
): Promise<WriteServicesUnderTest> {
  const ports = { order: await freePort(), dispatch: await freePort(), delivery: await freePort() };
  const owners = {
    order: `http://127.0.0.1:${ports.order}`,
    dispatch: `http://127.0.0.1:${ports.dispatch}`,
    delivery: `http://127.0.0.1:${ports.delivery}`,
  };
  const configOf = (name: WriteServiceName) => ({ ...config, owners, port: ports[name], ...each[name] });
  const [order, dispatch, delivery] = await Promise.all([
    serviceUnderTest(start.order, 'order', configOf('order')),
    serviceUnderTest(start.dispatch, 'dispatch', configOf('dispatch')),
    serviceUnderTest(start.delivery, 'delivery', configOf('delivery')),
  ]);
  return {
    order,
    dispatch,
    delivery,
    stop: async () => {
      await Promise.allSettled([order.stop(), dispatch.stop(), delivery.stop()]);
    },
  };
}
