// The OpenAPI document covers exactly the public API: every allowlisted route, nothing else.
import { describe, expect, it } from 'vitest';
import { OPERATIONS, openApiDocument } from '../../shared/openapi';
import { ROUTES } from '../../shared/routes';

describe('OpenAPI document', () => {
  it('has one operation per allowlisted route (the dev provider page and the benchmark floor aside)', () => {
    const routes = ROUTES.filter((r) => !r.path.startsWith('/api/dev-checkout') && !r.path.startsWith('/api/bench'))
      .map((r) => `${r.method} ${r.path.replace(/:([a-z]+)/g, (_, name) => (name === 'session' ? '{id}' : `{${name}}`))}`)
      .sort();
    const operations = OPERATIONS.map((op) => `${op.method.toUpperCase()} ${op.path}`).sort();
    expect(operations).toEqual(routes);
  });

  it('is OpenAPI 3.1 with request and response schemas from the contracts', () => {
    const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, any>> };
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
  });
});
