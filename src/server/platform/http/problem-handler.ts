import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import type { FieldError, Problem } from '../../../contracts/http/problem.js';
import { isDatabaseUnavailable } from '../db/database.js';
import { AppError, TooManyRequests } from './errors.js';

export const problemContentType = 'application/problem+json; charset=utf-8';

/** Fastify's own client errors, with the stable code and wording we give them. */
const fastifyClientErrors: Record<string, { code: string; title: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported-media-type', title: 'Unsupported media type' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload-too-large', title: 'Payload too large' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'bad-request', title: 'Bad request' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'malformed-body', title: 'Malformed request body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'malformed-body', title: 'Malformed request body' },
  FST_ERR_CTP_EMPTY_TYPE: { code: 'unsupported-media-type', title: 'Unsupported media type' },
  FST_ERR_CTP_INVALID_TYPE: { code: 'unsupported-media-type', title: 'Unsupported media type' },
};

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  p: { code: string; status: number; title: string; detail?: string; errors?: FieldError[] },
) {
  const body: Problem = {
    type: `/problems/${p.code}`,
    title: p.title,
    status: p.status,
    ...(p.detail ? { detail: p.detail } : {}),
    instance: request.url.split('?')[0],
    correlationId: String(request.id),
    ...(p.errors ? { errors: p.errors } : {}),
  };
  return reply.status(p.status).type(problemContentType).send(body);
}

function locationOf(context: string | undefined, instancePath: string | undefined, params: unknown): string {
  const base = (context ?? 'body').replace(/^querystring$/, 'query');
  const path = (instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
  const missing = (params as { missingProperty?: string } | undefined)?.missingProperty;
  return [base, path, missing].filter(Boolean).join('.');
}

/**
 * Turns every error into RFC 9457 problem+json. Client errors say what was wrong (field by
 * field for validation); server errors are logged in full and answered with a generic message
 * and the correlation id, never a stack trace.
 */
export function registerProblemHandler(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const errors = error.validation.map((v) => ({
        field: locationOf(error.validationContext, v.instancePath, v.params),
        message: v.message ?? 'is invalid',
      }));
      return sendProblem(request, reply, {
        code: 'validation-error',
        status: 400,
        title: 'Invalid request',
        detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
        errors,
      });
    }
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error }, error.message);
      if (error instanceof TooManyRequests) reply.header('retry-after', String(error.retryAfterSeconds));
      return sendProblem(request, reply, {
        code: error.code,
        status: error.status,
        title: error.title,
        detail: error.message,
        ...(error.fieldErrors ? { errors: error.fieldErrors } : {}),
      });
    }
    if (isDatabaseUnavailable(error)) {
      request.log.error({ err: error.message }, 'database unavailable');
      return sendProblem(request, reply, {
        code: 'service-unavailable',
        status: 503,
        title: 'Service unavailable',
        detail: 'The database is not reachable right now; try again shortly.',
      });
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error, issues: error.cause.issues }, 'response does not match its schema');
    } else if (error.code && fastifyClientErrors[error.code]) {
      const known = fastifyClientErrors[error.code]!;
      return sendProblem(request, reply, {
        code: known.code,
        status: error.statusCode ?? 400,
        title: known.title,
        detail: error.message,
      });
    } else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(request, reply, {
        code: error.statusCode === 429 ? 'rate-limited' : 'bad-request',
        status: error.statusCode,
        title: error.statusCode === 429 ? 'Too many requests' : 'Bad request',
        detail: error.message,
      });
    } else {
      request.log.error({ err: error }, 'unhandled error');
    }
    return sendProblem(request, reply, {
      code: 'internal-error',
      status: 500,
      title: 'Internal server error',
      detail: `Something went wrong on our side. Quote correlation id ${request.id} when reporting it.`,
    });
  });
}
