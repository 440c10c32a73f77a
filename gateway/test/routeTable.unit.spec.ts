import { describe, expect, it } from '@jest/globals';
import { RouteTable } from '../src/routeTable.ts';

describe('RouteTable', () => {
  const table = new RouteTable([
    { path: '/api/v1/orders/**', value: 'orders' },
    { path: '/api/v1/orders/*/cancel', value: 'cancel' },
    { path: '/api/v1/orders/special', value: 'special' },
    { path: '/api/v1/orders/special/**', value: 'special-below' },
    { path: '/api/v1/dispatches/**', value: 'dispatches' },
  ]);

  it.each([
    ['/api/v1/orders', 'orders'],
    ['/api/v1/orders/', 'orders'],
    ['/api/v1/orders/1/accept', 'orders'],
    ['/api/v1/orders/1/cancel', 'cancel'],
    ['/api/v1/orders/1/cancel/', 'cancel'],
    ['/api/v1/orders/1/cancel/more', 'orders'],
    ['/api/v1/orders/special', 'special'],
    ['/api/v1/orders/special/x', 'special-below'],
    ['/api/v1/dispatches/9/accept', 'dispatches'],
  ])('%s → %s (most specific wins)', (path, route) => {
    expect(table.match(path)).toBe(route);
  });

  it.each(['/api/v1/ordersX', '/api/v1/order', '/api/v1', '/', '/API/V1/ORDERS', '/admin'])('%s matches nothing', (path) => {
    expect(table.match(path)).toBeUndefined();
  });
});
