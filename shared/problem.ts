// RFC 9457 problem details: the one error shape every worker answers with.
// A `ProblemError` thrown anywhere in a worker becomes this response in that worker's onError.

export interface ProblemFieldError {
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId?: string;
  errors?: ProblemFieldError[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9110 reason phrases. A problem can only carry a status listed here, so every answer has its title. */
export const PROBLEM_TITLES = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
} as const;

export type ProblemStatus = keyof typeof PROBLEM_TITLES;

export interface ProblemInit {
  status: ProblemStatus;
  code: string;
  detail: string;
  errors?: ProblemFieldError[];
  headers?: Record<string, string>;
  /** Extra members for the client, e.g. per-line availability on a 409. Never secrets. */
  extensions?: Record<string, unknown>;
}

export class ProblemError extends Error {
  readonly init: ProblemInit;
  constructor(init: ProblemInit) {
    super(init.detail);
    this.name = 'ProblemError';
    this.init = init;
  }
}

export function problemBody(init: ProblemInit, requestId?: string): ProblemBody {
  return {
    ...init.extensions,
    type: `https://errors.edge-commerce.dev/${init.code}`,
    title: PROBLEM_TITLES[init.status],
    status: init.status,
    detail: init.detail,
    code: init.code,
    ...(requestId ? { requestId } : {}),
    ...(init.errors ? { errors: init.errors } : {}),
  };
}

export function problemResponse(init: ProblemInit, requestId?: string): Response {
  const headers = new Headers(init.headers);
  headers.set('content-type', PROBLEM_CONTENT_TYPE);
  headers.set('cache-control', 'no-store');
  if (requestId) headers.set('x-request-id', requestId);
  return new Response(JSON.stringify(problemBody(init, requestId)), { status: init.status, headers });
}
