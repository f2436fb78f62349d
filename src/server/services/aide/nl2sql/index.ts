export { nl2sqlMigrations } from './nl2sql.migrations.js';
export { nl2sqlRoutes } from './nl2sql.routes.js';
export { createNl2SqlService, type Nl2SqlService } from './nl2sql.service.js';
