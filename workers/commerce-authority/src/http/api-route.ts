// How an authority route is declared: createRoute with the contracts of shared/contracts.ts, on an OpenAPIHono
// app whose defaultHook answers problem+json. The declaration validates the request, types the handler and is
// the route's entry in /api/openapi.json: there is no second list of routes to keep in step.
import { createRoute, OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { ZodType, type z } from 'zod';
import { Problem } from '../../../../shared/contracts';
import { jsonGate, problemHook } from './json-body';

/** Every error answer, one component of the document. */
const ProblemComponent = Problem.meta({ id: 'Problem' });

export const TAGS = ['Storefront', 'Checkout', 'Admin', 'Platform'] as const;

/** Admin routes: the shop's admin bearer token (the scheme is registered with the document). */
export const ADMIN_SECURITY = [{ adminToken: [] }];

/** An app for one resource: failed validation becomes problem+json wherever the app is mounted. */
export function routesApp<E extends Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({ defaultHook: problemHook });
}

/**
 * createRoute, plus the JSON gate (415, malformed JSON) in front of a JSON body declared with a zod schema. A body
 * documented with a plain JSON Schema (the Stripe webhook's) is neither gated nor parsed: the handler reads it raw.
 */
export function apiRoute<P extends string, R extends Omit<RouteConfig, 'path'> & { path: P }>(config: R) {
  const body = config.request?.body;
  const json = body?.content['application/json'];
  const validated = json !== undefined && 'schema' in json && json.schema instanceof ZodType;
  if (!body || !validated) return createRoute(config);
  if (config.middleware) throw new Error(`${config.path}: a route with a JSON body takes no other route middleware`);
  return createRoute({ ...config, middleware: [jsonGate(body.required === true)] } as R);
}

/** A JSON request body; `required: false` for a body that may be left out. */
export function jsonBody<S extends z.ZodType>(schema: S, options: { required?: boolean; description?: string } = {}) {
  return {
    required: options.required ?? true,
    ...(options.description ? { description: options.description } : {}),
    content: { 'application/json': { schema } },
  };
}

/** The 2xx answer. */
export function ok<S extends z.ZodType>(schema: S, description = 'OK') {
  return { description, content: { 'application/json': { schema } } };
}

/** The problem statuses an operation may answer. */
export function problems<const S extends number>(...statuses: S[]) {
  const entry = (status: number) => ({
    description: `Problem (${status})`,
    content: { 'application/problem+json': { schema: ProblemComponent } },
  });
  return Object.fromEntries(statuses.map((status) => [status, entry(status)])) as Record<S, ReturnType<typeof entry>>;
}
