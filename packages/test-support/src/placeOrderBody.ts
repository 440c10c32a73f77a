/**
 * A valid PlaceOrder request (POST /api/v1/orders), the one every suite and benchmark sends
 * unless it needs another: 2 × 9,000 + 1 × 3,000 = 21,000 in total. A fresh object each
 * call; `overrides` replace whole fields (a customer of the suite's own, another store).
 */
export function placeOrderBody(overrides: Partial<PlaceOrderBody> = {}): PlaceOrderBody {
  return {
    customerId: 'customer-1',
    storeId: 'store-9',
    items: [
      { menuId: 'm-1', name: 'Bibimbap', quantity: 2, unitPrice: 9000 },
      { menuId: 'm-2', name: 'Kimchi', quantity: 1, unitPrice: 3000 },
    ],
    deliveryAddress: { line: '1 Sejong-daero, Seoul', lat: 37.5665, lng: 126.978 },
    requestNote: 'no onions',
    ...overrides,
  };
}

// A type, not an interface: it stays assignable to Record<string, unknown> (badInputSuite's validBody).
export type PlaceOrderBody = {
  customerId: string;
  storeId: string;
  items: { menuId: string; name: string; quantity: number; unitPrice: number }[];
  deliveryAddress: { line: string; lat: number; lng: number };
  requestNote: string | null;
};
