export { numbersAreGrounded, ungroundedNumbers } from './grounding.js';
export { insightsRoutes } from './insights.routes.js';
export { createInsightsService, type InsightsService } from './insights.service.js';
