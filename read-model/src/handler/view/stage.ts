import { z } from 'zod';

export const STAGES = ['PLACED', 'ACCEPTED', 'RIDER_ASSIGNED', 'PICKED_UP', 'DELIVERED', 'CANCELLED'] as const;
export const Stage = z.enum(STAGES).describe('Derived from the order, dispatch and delivery (docs/read-model.md).');
export type Stage = z.infer<typeof Stage>;
