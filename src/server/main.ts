import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './platform/config/load-config.js';
import { createLogger } from './platform/observability/logger.js';
import { type Runtime, StartupError, startRuntime } from './runtime.js';

const usage = `usage: main.js [start|migrate] [--service <name>]...

  start    run the services (default): all of them on one port, or only those named
  migrate  apply every selected service's migrations, then exit

  --service <name>  run only this service on its own port (repeatable; overrides SERVICES)`;

async function main(): Promise<number> {
  let args: ReturnType<
    typeof parseArgs<{
      options: { service: { type: 'string'; multiple: true }; help: { type: 'boolean' } };
      allowPositionals: true;
    }>
  >;
  try {
    args = parseArgs({
      options: { service: { type: 'string', multiple: true }, help: { type: 'boolean' } },
      allowPositionals: true,
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage}`);
    return 2;
  }
  const command = args.positionals[0] ?? 'start';
  if (args.values.help || !['start', 'migrate'].includes(command)) {
    console.error(usage);
    return args.values.help ? 0 : 2;
  }

  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({ services: (args.values.service ?? []).flatMap((s) => s.split(',')) });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  const log = createLogger({ level: config.logLevel });

  let runtime: Runtime;
  try {
    runtime = await startRuntime(config, { log, listen: command === 'start' });
  } catch (err) {
    const known = err instanceof StartupError || (err as Error).name === 'MigrationError';
    log.fatal(known ? { reason: (err as Error).message } : { err }, 'start-up failed');
    console.error(`start-up failed: ${(err as Error).message}`);
    return 1;
  }
  if (command === 'migrate') {
    await runtime.close();
    return 0;
  }

  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down: draining requests and the outbox relay');
      const timer = setTimeout(() => {
        log.error({ timeoutMs: config.http.shutdownTimeoutMs }, 'shutdown timed out');
        resolveExit(1);
      }, config.http.shutdownTimeoutMs);
      timer.unref();
      runtime.close().then(
        () => {
          clearTimeout(timer);
          log.info('shutdown complete');
          resolveExit(0);
        },
        (err) => {
          log.error({ err }, 'shutdown failed');
          resolveExit(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

main().then(
  (code) => {
    // Let pino flush, then leave even if a stray handle would keep the loop alive.
    setTimeout(() => process.exit(code), 50).unref();
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
