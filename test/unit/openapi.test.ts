// The OpenAPI document is the one the authority serves, generated from its route declarations: it covers exactly
// the public API (every allowlisted route, nothing else) and is valid OpenAPI 3.1.
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it, vi } from 'vitest';
import { ROUTES } from '../../shared/routes';

// The authority's module graph names the workerd-only module for its Durable Object and entrypoint classes;
// serving the document touches neither, so plain stand-ins let the real app run in Node.
vi.mock('cloudflare:workers', () => ({ DurableObject: class {}, WorkerEntrypoint: class {} }));
const { app } = await import('../../workers/commerce-authority/src/app');

async function servedDocument() {
  const res = await app.request('/api/openapi.json');
  expect(res.status).toBe(200);
  return (await res.json()) as { openapi: string; paths: Record<string, Record<string, any>> };
}

describe('OpenAPI document', () => {
  it('has one operation per allowlisted route (the dev provider page and the benchmark floor aside)', async () => {
    const routes = ROUTES.filter((r) => !r.path.startsWith('/api/dev-checkout') && !r.path.startsWith('/api/bench'))
      .map((r) => `${r.method} ${r.path.replace(/:([a-z]+)/g, (_, name) => (name === 'session' ? '{id}' : `{${name}}`))}`)
      .sort();
    const operations = Object.entries((await servedDocument()).paths)
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(operations).toEqual(routes);
  });

  it('the authority serves exactly the allowlisted routes, so the document (above) leaves none out', async () => {
    const shape = (method: string, path: string) => `${method} ${path.replace(/:[A-Za-z]+/g, ':param')}`;
    const served = new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => shape(r.method, r.path)));
    expect([...served].sort()).toEqual(ROUTES.map((r) => shape(r.method, r.path)).sort());
  });

  it('is OpenAPI 3.1 with request and response schemas from the contracts', async () => {
    const doc = await servedDocument();
    expect(doc.openapi).toBe('3.1.0');
    const validate = doc.paths['/api/inventory/validate']!.post;
    const body = validate.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['items']);
    expect(body.additionalProperties).toBe(false);
    expect(body.properties.items.maxItems).toBe(100);
    expect(body.properties.items.items.properties.quantity).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000 });
    expect(validate.responses['200'].content['application/json'].schema.properties.items.type).toBe('array');
    expect(validate.responses['400'].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
    expect(doc.paths['/api/admin/catalog']!.put.security).toEqual([{ adminToken: [] }]);
    // A field that is normalised before it is checked still documents what it must be.
    const checkout = doc.paths['/api/checkout-session']!.post.requestBody.content['application/json'].schema;
    expect(checkout.properties.email).toEqual({ type: 'string', format: 'email', maxLength: 254 });
  });

  it('/api/docs renders every operation of the document', async () => {
    const doc = await servedDocument();
    const page = await (await app.request('/api/docs')).text();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) expect(page).toContain(`aria-label="${method.toUpperCase()} ${path}"`);
    }
  });

  it('validates against the OpenAPI 3.1 schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(await servedDocument());
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });
});
