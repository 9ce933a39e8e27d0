// GET /api/openapi.json and GET /api/docs: the API document and a readable reference rendered from it,
// self-contained (no CDN, no script).
import { Hono } from 'hono';
import { html } from 'hono/html';
import { OPERATIONS, openApiDocument } from '../../../../shared/openapi';
import type { AuthorityBindings } from '../env';

let cached: Record<string, unknown> | undefined;
const documentOnce = () => (cached ??= openApiDocument());

type PathItem = Record<string, { summary: string; requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>; parameters?: { name: string; in: string; description: string }[] }>;

export const docsRoutes = new Hono<AuthorityBindings>()
  .get('/openapi.json', (c) => {
    c.header('cache-control', 'public, max-age=300');
    return c.json(documentOnce());
  })
  .get('/docs', (c) => {
    const paths = documentOnce().paths as Record<string, PathItem>;
    const tags = [...new Set(OPERATIONS.map((op) => op.tag))];
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
    ${OPERATIONS.filter((op) => op.tag === tag).map((op) => {
      const item = paths[op.path]![op.method]!;
      return html`<section class="op" aria-label="${op.method.toUpperCase()} ${op.path}">
        <h3><span class="method ${op.method}">${op.method}</span> <code>${op.path}</code>${op.admin ? ' 🔒' : ''}</h3>
        <p>${item.summary}${op.admin ? ' Needs the shop\'s admin bearer token.' : ''}</p>
        ${item.parameters ? html`<ul>${item.parameters.map((p) => html`<li><code>${p.name}</code> (${p.in}): ${p.description}</li>`)}</ul>` : ''}
        ${item.requestBody ? html`<details><summary>Request body</summary><pre>${pretty(item.requestBody.content['application/json']!.schema)}</pre></details>` : ''}
        ${Object.entries(item.responses).map(
          ([status, response]) => html`<details><summary>${status} ${response.description}</summary>${response.content ? html`<pre>${pretty(Object.values(response.content)[0]!.schema)}</pre>` : ''}</details>`,
        )}
      </section>`;
    })}`,
  )}
</main>
</body>
</html>`);
  });
