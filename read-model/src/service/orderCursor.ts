import { Problem } from '@delivery/runtime-kit';

/** The list's keyset cursor: the last item's creation time and id, base64url JSON. */
export interface OrderCursor {
  createdAt: Date;
  orderId: string;
}

export function encodeOrderCursor(cursor: OrderCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.getTime(), cursor.orderId])).toString('base64url');
}

export function decodeOrderCursor(value: string): OrderCursor {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded.length === 2 && Number.isSafeInteger(decoded[0]) && typeof decoded[1] === 'string') {
      return { createdAt: new Date(decoded[0] as number), orderId: decoded[1] };
    }
  } catch {
    // falls through to the problem below
  }
  throw new Problem('VALIDATION_FAILED', 'after: not a cursor returned by this API.', {
    extensions: { errors: [{ field: 'after', message: 'not a cursor returned by this API' }] },
  });
}
