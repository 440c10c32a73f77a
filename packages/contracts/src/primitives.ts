import { z } from 'zod';

/** Shapes shared by commands, events and views; one definition each. */

/**
 * An aggregate id (or a reference to one): a UUID in canonical lower-case form. Parsing
 * lower-cases, so every boundary that parses with it (command paths and bodies, event
 * envelopes and payloads, snapshots, the read model's REST and GraphQL arguments) hands
 * the rest of the platform one spelling per aggregate (architecture.md, "Identifiers").
 */
export const Uuid = z.uuid().toLowerCase();
export const GeoPoint = z.strictObject({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
});
export type GeoPoint = z.infer<typeof GeoPoint>;

export const DeliveryAddress = z.strictObject({
  line: z.string().trim().min(1).max(500),
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
});
export type DeliveryAddress = z.infer<typeof DeliveryAddress>;

/** Amounts are integer KRW. */
export const Krw = z.number().int().min(0).max(100_000_000);

export const OrderItem = z.strictObject({
  menuId: z.string().trim().min(1).max(64),
  name: z.string().trim().min(1).max(200),
  quantity: z.number().int().min(1).max(100),
  unitPrice: Krw,
});
export type OrderItem = z.infer<typeof OrderItem>;

/** X-Request-Id / correlationId: 1–128 characters of A–Z a–z 0–9 . _ : - */
export const RequestId = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/);
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
