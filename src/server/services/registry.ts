import type { ServiceName } from '../../contracts/events/index.js';
import { aideModule } from './aide/index.js';
import { axiModule } from './axi/index.js';
import { echoModule } from './echo/index.js';
import { mlogModule } from './mlog/index.js';
import { portfolioModule } from './portfolio/index.js';
import type { ServiceModule } from './service-module.js';

/**
 * The services this build contains, in start-up order. A service named in SERVICES but not
 * listed here is refused at start-up rather than silently skipped.
 */
export const serviceModules: readonly ServiceModule[] = [
  axiModule,
  aideModule,
  echoModule,
  mlogModule,
  portfolioModule,
];

export function findServiceModule(name: ServiceName): ServiceModule | undefined {
  return serviceModules.find((m) => m.name === name);
}
