import axios, { AxiosError, type AxiosRequestConfig, type InternalAxiosRequestConfig } from 'axios';
import type { z } from 'zod';
import { TokenResponse } from '../../../contracts/axi/auth.js';
import { Problem } from '../../../contracts/http/problem.js';

/**
 * The one HTTP client of the web app. The access token lives in memory only (never in storage a
 * script could read later); the refresh token is an httpOnly cookie the browser sends to
 * /api/v1/auth. A 401 on any other call triggers one refresh (shared by concurrent callers) and a
 * retry; when the refresh fails the session is over and `onSessionExpired` runs.
 */

let accessToken: string | undefined;
let refreshing: Promise<string | undefined> | undefined;
let sessionExpiredListener: (() => void) | undefined;

export function setAccessToken(token: string | undefined) {
  accessToken = token;
}

export function hasAccessToken(): boolean {
  return accessToken !== undefined;
}

export function onSessionExpired(listener: (() => void) | undefined) {
  sessionExpiredListener = listener;
}

/** An API failure with its problem+json, so forms can show field errors where they belong. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(problem?.detail ?? problem?.title ?? `Request failed (${status})`);
    this.name = 'ApiError';
  }

  /** The message for one field (`body.email` or just `email`), if the server named it. */
  fieldError(field: string): string | undefined {
    return this.problem?.errors?.find((e) => e.field === field || e.field.endsWith(`.${field}`))?.message;
  }
}

export const http = axios.create({ withCredentials: true, timeout: 30_000 });

http.interceptors.request.use((config) => {
  if (accessToken && !config.headers.has('authorization')) {
    config.headers.set('authorization', `Bearer ${accessToken}`);
  }
  return config;
});

/** Asks for a new access token with the refresh cookie; undefined when there is no session. */
export function refreshAccessToken(): Promise<string | undefined> {
  refreshing ??= axios
    .post('/api/v1/auth/refresh', {}, { withCredentials: true, timeout: 15_000 })
    .then((res) => {
      const token = TokenResponse.parse(res.data).accessToken;
      setAccessToken(token);
      return token;
    })
    .catch(() => {
      setAccessToken(undefined);
      return undefined;
    })
    .finally(() => {
      refreshing = undefined;
    });
  return refreshing;
}

http.interceptors.response.use(undefined, async (error: AxiosError) => {
  const config = error.config as (InternalAxiosRequestConfig & { _retried?: boolean }) | undefined;
  const isAuthCall = config?.url?.startsWith('/api/v1/auth/') ?? false;
  if (error.response?.status === 401 && config && !config._retried && !isAuthCall) {
    config._retried = true;
    const token = await refreshAccessToken();
    if (token) {
      config.headers.set('authorization', `Bearer ${token}`);
      return http.request(config);
    }
    sessionExpiredListener?.();
  }
  throw toApiError(error);
});

export function toApiError(error: unknown): unknown {
  if (!(error instanceof AxiosError)) return error;
  if (axios.isCancel(error) || error.code === 'ERR_CANCELED') return error;
  const status = error.response?.status ?? 0;
  const parsed = Problem.safeParse(error.response?.data);
  if (!error.response) {
    return new ApiError(0, {
      type: '/problems/network',
      title: 'The server cannot be reached',
      status: 0,
      detail: 'Check your connection and try again.',
      correlationId: '',
    });
  }
  return new ApiError(status, parsed.success ? parsed.data : undefined);
}

/** GET/POST/... and parse the answer with the same contract the server answers with. */
export async function request<S extends z.ZodType>(
  schema: S,
  config: AxiosRequestConfig,
): Promise<z.output<S>> {
  const res = await http.request(config);
  return schema.parse(res.data);
}
