import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The repository root: the server reads `.env.<APP_ENV>` and `./dist/web` relative to it. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const serverEntry = resolve(repoRoot, 'dist/server/main.js');

export interface ServerProcessOptions {
  /**
   * Merged over process.env (a value of `undefined` removes an inherited variable). Defaults:
   * HOST=127.0.0.1, PORT=<a free port>, LOG_LEVEL=info. The start-up line is logged at info, so
   * a LOG_LEVEL above info makes the start look like a timeout.
   */
  env?: Record<string, string | undefined>;
  /** Arguments after `main.js`, e.g. `['--service', 'echo']` or `['migrate']`. */
  args?: string[];
  /** Working directory (default: the repository root). */
  cwd?: string;
  /** How long to wait for "platform started" (default 30 s). */
  startTimeoutMs?: number;
  /** Mirror the child's output to this process's stderr (default: when TEST_SERVER_LOG is set). */
  echo?: boolean;
}

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  /** URL of the first listener (the only one in all-in-one mode), e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Port of the first listener. */
  port: number;
  /** Every listener from the "platform started" line: name (`all`, `echo`, ...) -> URL. */
  listeners: Record<string, string>;
  pid: number;
  /** The underlying child process, for tests that need more. */
  child: ChildProcess;
  /** Every stdout and stderr line so far, in arrival order. */
  logs(): string[];
  /** The stdout lines that parse as JSON log entries. */
  logEntries(): LogEntry[];
  /** Resolves with the first log entry (past or future) whose msg equals `msg` or that matches the predicate. */
  waitForLog(
    match: string | ((entry: LogEntry) => boolean),
    options?: { timeoutMs?: number },
  ): Promise<LogEntry>;
  /**
   * Sends `signal` (default SIGTERM) and resolves once the process has exited and its output is
   * fully read. After `timeoutMs` (default 20 s) it is killed with SIGKILL and the promise rejects.
   * Calling it after the process has exited just returns the exit result.
   */
  stop(signal?: NodeJS.Signals, options?: { timeoutMs?: number }): Promise<ExitResult>;
  /** SIGKILL, no waiting; safe to call at any time (use it in afterAll/afterEach). */
  kill(): void;
  /** Resolves when the process has exited (for whatever reason). */
  exited: Promise<ExitResult>;
}

export interface LogEntry {
  level?: number;
  msg?: string;
  [key: string]: unknown;
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it; tiny race until the server binds it). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error('could not pick a free port'))));
    });
  });
}

/** Several distinct free ports (e.g. one per service in split mode). */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Never leave a server behind when the test worker exits, whatever the test did. */
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

/**
 * Starts `node dist/server/main.js` as a child process (as an operator would) and resolves once
 * it logged "platform started". Rejects with everything it printed if it exits first or does not
 * start within the timeout (the child is killed then).
 */
export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  if (!existsSync(serverEntry)) {
    throw new Error(`${serverEntry} does not exist: run \`npm run build\` first`);
  }
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const echo = options.echo ?? Boolean(process.env.TEST_SERVER_LOG);

  const env: Record<string, string> = {};
  const merged = {
    ...process.env,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...(options.env?.PORT === undefined ? { PORT: String(await freePort()) } : {}),
    ...options.env,
  };
  for (const [key, value] of Object.entries(merged)) if (value !== undefined) env[key] = value;

  const args = options.args ?? [];
  const child = spawn(process.execPath, [serverEntry, ...args], {
    cwd: options.cwd ?? repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  installExitHook();
  running.add(child);

  const lines: string[] = [];
  const entries: LogEntry[] = [];
  const watchers = new Set<(entry: LogEntry) => void>();
  const onLine = (stream: 'stdout' | 'stderr') => (line: string) => {
    lines.push(line);
    if (echo) process.stderr.write(`[server ${child.pid} ${stream}] ${line}\n`);
    if (stream !== 'stdout' || !line.startsWith('{')) return;
    try {
      const entry = JSON.parse(line) as LogEntry;
      entries.push(entry);
      for (const watcher of watchers) watcher(entry);
    } catch {
      // not a log line
    }
  };
  const stdoutDone = new Promise<void>((r) =>
    createInterface({ input: child.stdout! }).on('line', onLine('stdout')).on('close', r),
  );
  const stderrDone = new Promise<void>((r) =>
    createInterface({ input: child.stderr! }).on('line', onLine('stderr')).on('close', r),
  );

  let exitResult: ExitResult | undefined;
  const exited = new Promise<ExitResult>((resolveExit) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (exitResult) return;
      exitResult = { code, signal };
      running.delete(child);
      resolveExit(exitResult);
    };
    child.once('error', (err) => {
      lines.push(`spawn error: ${err.message}`);
      // A failed spawn may not be followed by 'close'.
      if (child.pid === undefined) finish(null, null);
    });
    // 'close' fires after exit and after stdout/stderr ended, so logs() is complete by then.
    child.once('close', (code, signal) => {
      void Promise.all([stdoutDone, stderrDone]).then(() => finish(code, signal));
    });
  });

  const output = () => (lines.length > 0 ? lines.join('\n') : '(no output)');
  const describe = (r: ExitResult) => (r.signal ? `signal ${r.signal}` : `code ${r.code}`);

  const waitForLog: ServerProcess['waitForLog'] = (match, { timeoutMs = 10_000 } = {}) => {
    const test = typeof match === 'string' ? (e: LogEntry) => e.msg === match : match;
    const what = typeof match === 'string' ? `log "${match}"` : 'matching log entry';
    const found = entries.find(test);
    if (found) return Promise.resolve(found);
    return new Promise<LogEntry>((resolveEntry, reject) => {
      const cleanup = () => {
        watchers.delete(watcher);
        clearTimeout(timer);
      };
      const watcher = (entry: LogEntry) => {
        if (!test(entry)) return;
        cleanup();
        resolveEntry(entry);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; server output:\n${output()}`));
      }, timeoutMs);
      watchers.add(watcher);
      void exited.then((r) => {
        if (!watchers.has(watcher)) return;
        cleanup();
        reject(new Error(`server exited (${describe(r)}) before ${what}; server output:\n${output()}`));
      });
    });
  };

  const kill = () => {
    if (!exitResult) child.kill('SIGKILL');
  };

  let started: LogEntry;
  try {
    started = await waitForLog('platform started', { timeoutMs: startTimeoutMs });
  } catch (err) {
    kill();
    await exited;
    throw new Error(`server did not start: ${(err as Error).message}`);
  }

  const listeners: Record<string, string> = {};
  for (const item of (started.listeners as string[] | undefined) ?? []) {
    const [name, url] = item.split(' ');
    if (name && url) listeners[name] = url;
  }
  const url = Object.values(listeners)[0];
  if (!url) {
    kill();
    throw new Error(`"platform started" named no listener; server output:\n${output()}`);
  }

  const stop: ServerProcess['stop'] = async (signal = 'SIGTERM', { timeoutMs = 20_000 } = {}) => {
    if (exitResult) return exitResult;
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new Error(`server did not exit within ${timeoutMs} ms of ${signal}; server output:\n${output()}`),
        );
      }, timeoutMs);
    });
    try {
      return await Promise.race([exited, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    url,
    port: Number(new URL(url).port),
    listeners,
    pid: child.pid!,
    child,
    logs: () => [...lines],
    logEntries: () => [...entries],
    waitForLog,
    stop,
    kill,
    exited,
  };
}
