import pino from 'pino';

/** A logger that writes nothing; set TEST_LOG=debug to see the platform's logs while debugging. */
export const testLogger = pino({ level: process.env.TEST_LOG ?? 'silent' });
