export { usageMigrations } from './usage.migrations.js';
export { usageRoutes } from './usage.routes.js';
export { createUsageService, type UsageEntry, type UsageService } from './usage.service.js';
