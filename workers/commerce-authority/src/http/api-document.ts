// The OpenAPI 3.1 document of the authority, generated from its route declarations (createRoute): what the
// routes validate is what the document says. This module adds only what no single route owns.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { TAGS } from './api-route';

export type ApiDocument = ReturnType<OpenAPIHono['getOpenAPI31Document']>;

/** Registers what the routes refer to but do not declare: the admin bearer token. Call once, on the root app. */
export function describeApi<E extends Env>(app: OpenAPIHono<E>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description: "The shop's admin token",
  });
}

export function apiDocument<E extends Env>(app: OpenAPIHono<E>): ApiDocument {
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Edge commerce core',
      version: '1.0.0',
      description:
        'Inventory, cart and checkout for shops whose storefront is a static export. The shop is the one the ' +
        'request host serves. Money is integer minor units; errors are application/problem+json.',
    },
    servers: [{ url: '/' }],
    tags: TAGS.map((name) => ({ name })),
  });
}
