import { type Config, loadConfig } from '../../src/server/platform/config/load-config.js';
import { type Runtime, type StartOptions, startRuntime } from '../../src/server/runtime.js';
import { testLogger } from './logger.js';

/**
 * Config for an in-process test runtime: embedded defaults, an ephemeral port, nothing read
 * from .env files. Pass variables to override, exactly as an operator would set them.
 */
export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return loadConfig({
    readEnvFiles: false,
    env: {
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: 'memory://',
      LOG_LEVEL: 'silent',
      OUTBOX_POLL_INTERVAL_MS: '50',
      ...env,
    },
  });
}

export async function startTestRuntime(
  env: Record<string, string | undefined> = {},
  options: Partial<StartOptions> = {},
): Promise<Runtime> {
  return startRuntime(testConfig(env), { log: testLogger, ...options });
}
