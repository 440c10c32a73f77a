export { Stage, STAGES } from './stage.ts';
export * from './viewDocuments.ts';
export * from './viewSchemas.ts';
export { deriveStage } from './deriveStage.ts';
export {
  deriveOrder,
  renderDeliveryView,
  renderDispatchView,
  renderOrderView,
  renderView,
  type OrderDerived,
  type RenderedViews,
} from './renderViews.ts';
export { planProjection, VIEW_NAMES, type PartWrite, type ProjectionPlan, type RejectedEvent, type ViewName } from './planProjection.ts';
export { orderPartProjection } from './orderPartProjection.ts';
export { dispatchProjection } from './dispatchProjection.ts';
export { deliveryProjection } from './deliveryProjection.ts';
export type { ViewProjection } from './viewProjection.ts';
