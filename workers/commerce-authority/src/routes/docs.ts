// GET /api/openapi.json and GET /api/docs: the API document, generated from the route declarations, and a
// readable reference rendered from it, self-contained (no CDN, no script).
import { html } from 'hono/html';
import { z } from 'zod';
import type { AuthorityBindings } from '../env';
import type { ApiDocument } from '../http/api-document';
import { apiRoute, ok, problems, routesApp } from '../http/api-route';

/** The parts of an operation object the page shows. */
type Described = { content?: Record<string, { schema?: unknown }> };
type Parameter = { name: string; in: string; description?: string };
type Operation = {
  summary?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: Described;
  responses: Record<string, Described & { description: string }>;
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const firstSchema = (part: Described) => Object.values(part.content ?? {})[0]?.schema;
const parameter = (p: Parameter) => html`<li><code>${p.name}</code> (${p.in}): ${p.description ?? ''}</li>`;

/** The document's operations in declaration order, with their method and path. */
function operationsOf(document: ApiDocument) {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = (item as Record<string, Operation | undefined>)[method];
      return operation ? [{ path, method, operation }] : [];
    }),
  );
}

const openApiJson = apiRoute({
  method: 'get',
  path: '/openapi.json',
  tags: ['Platform'],
  summary: 'This document',
  responses: {
    200: ok(z.looseObject({ openapi: z.string() }), 'OpenAPI 3.1'),
    ...problems(429),
  },
});
const reference = apiRoute({
  method: 'get',
  path: '/docs',
  tags: ['Platform'],
  summary: 'This document, rendered',
  responses: {
    200: { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } },
    ...problems(429),
  },
});

/** `document` is read when asked for, after every route (these two included) has been declared. */
export const docsRoutes = (document: () => ApiDocument) =>
  routesApp<AuthorityBindings>()
    .openapi(openApiJson, (c) => {
      c.header('cache-control', 'public, max-age=300');
      return c.json(document(), 200);
    })
    .openapi(reference, (c) => {
      const operations = operationsOf(document());
      const tags = (document().tags ?? []).map((tag) => tag.name);
      const pretty = (value: unknown) => JSON.stringify(value, null, 2);
    c.header('cache-control', 'public, max-age=300');
    return c.html(html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference · Edge commerce core</title>
<style>
  body { font: 16px/1.55 system-ui, sans-serif; margin: 0; color: #1c1e21; background: #fafafa; }
  main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
  nav a { margin-right: 1rem; }
  section.op { background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 1rem 1.25rem; margin: 1rem 0; }
  .method { display: inline-block; min-width: 4.5rem; font: 700 .8rem/1.8 ui-monospace, monospace; text-transform: uppercase; text-align: center; border-radius: 4px; color: #fff; background: #374151; }
  .get { background: #1d4ed8; } .post { background: #047857; } .put, .patch { background: #92400e; } .delete { background: #b91c1c; }
  code, pre { font-family: ui-monospace, monospace; font-size: .85rem; }
  pre { background: #f3f4f6; padding: .75rem; border-radius: 6px; overflow: auto; max-height: 24rem; }
  details > summary { cursor: pointer; }
</style>
</head>
<body>
<main>
  <h1>Edge commerce core API</h1>
  <p>Every route answers for the shop its host serves. Money is integer minor units; errors are <code>application/problem+json</code>.
  The machine-readable document is <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).</p>
  <nav aria-label="Sections">${tags.map((tag) => html`<a href="#${tag}">${tag}</a>`)}</nav>
  ${tags.map(
    (tag) => html`<h2 id="${tag}">${tag}</h2>
    ${operations.filter(({ operation }) => operation.tags?.[0] === tag).map(({ path, method, operation: item }) => {
      const admin = (item.security ?? []).length > 0;
      return html`<section class="op" aria-label="${method.toUpperCase()} ${path}">
        <h3><span class="method ${method}">${method}</span> <code>${path}</code>${admin ? ' 🔒' : ''}</h3>
        <p>${item.summary}${admin ? ' Needs the shop\'s admin bearer token.' : ''}</p>
        ${item.parameters
          ? html`<ul>${item.parameters.map(parameter)}</ul>`
          : ''}
        ${item.requestBody
          ? html`<details><summary>Request body</summary><pre>${pretty(firstSchema(item.requestBody))}</pre></details>`
          : ''}
        ${Object.entries(item.responses).map(
          ([status, response]) => html`<details>
            <summary>${status} ${response.description}</summary>
            ${response.content ? html`<pre>${pretty(firstSchema(response))}</pre>` : ''}
          </details>`,
        )}
      </section>`;
    })}`,
  )}
</main>
</body>
</html>`, 200);
    });
