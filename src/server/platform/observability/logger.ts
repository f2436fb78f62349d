import pino, { type Logger } from 'pino';

/**
 * The process logger: JSON lines on stdout. Credentials never reach a log line: request
 * headers that carry them are redacted, and URLs are logged through redactUrl().
 */
export function createLogger(options: { level: string; name?: string }): Logger {
  return pino({
    level: options.level,
    base: { service: options.name ?? 'platform', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.token',
      ],
      censor: '[redacted]',
    },
  });
}
