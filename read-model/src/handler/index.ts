// The read model's pure logic, in three layers that import one way:
//   view/        the one definition of each view (zod, extended from the contracts' snapshots)
//   projection/  stored documents (derived from the views), projections routed by canHandle,
//                the batch plan and the stage rule
//   rendering/   stored documents → views
export { Stage, STAGES } from './view/stage.ts';
export {
  DeliveryView,
  DispatchView,
  Location,
  OrderDeliverySummary,
  OrderDispatchSummary,
  OrderPage,
  OrderView,
  VIEW_ID_FIELDS,
  VIEW_NAMES,
  VIEWS,
  type Versioned,
  type ViewName,
  type Views,
} from './view/viewSchemas.ts';
export * from './projection/viewDocuments.ts';
export { deriveStage, stageUpdates, type StageUpdate } from './projection/deriveStage.ts';
export {
  catchUpWrites,
  planProjection,
  storedPartVersion,
  type PartWrite,
  type ProjectionPlan,
  type RejectedEvent,
} from './projection/planProjection.ts';
export { PROJECTIONS, ProjectionRegistry, type AnyProjection } from './projection/projectionRegistry.ts';
export { orderProjection } from './projection/orderProjection.ts';
export { dispatchProjection } from './projection/dispatchProjection.ts';
export { deliveryProjection } from './projection/deliveryProjection.ts';
export type { ViewProjection } from './projection/viewProjection.ts';
export { renderDeliveryView, renderDispatchView, renderOrderView, renderView } from './rendering/renderViews.ts';
export { orderListing, type OrderListing } from './rendering/orderListing.ts';
