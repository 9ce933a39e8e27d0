// The OpenAPI 3.1 document, generated from the zod contracts (zod's own JSON Schema output): the routes'
// parsers, this document and the browser client all come from shared/contracts.ts.
import { z } from 'zod';
import * as c from './contracts';

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  tag: 'Storefront' | 'Checkout' | 'Admin' | 'Platform';
  body?: z.ZodType;
  /** Answer schema of the 2xx response. */
  answer?: z.ZodType;
  status?: number;
  /** Problem statuses this operation may answer besides 400 and 429. */
  problems?: number[];
  admin?: boolean;
  query?: Record<string, string>;
  params?: Record<string, string>;
  headers?: Record<string, string>;
}

const CHECKOUT_HEADERS = {
  'Idempotency-Key':
    'One per checkout attempt (1 to 200 visible ASCII characters): a retry of the attempt returns its checkout; ' +
    'the same key with another body is 422. Without it, a cart (cookie) reuses its live checkout and a request ' +
    'with items makes a new one.',
};

const HealthReport = z.object({ ok: z.boolean(), hops: z.array(z.object({ hop: z.string(), ok: z.boolean(), ms: z.number() })) });
const StockList = z.object({ items: z.array(c.StockView.extend({ productSku: z.string(), attributes: z.record(z.string(), z.string()), sellable: z.boolean(), backorder: z.boolean() })) });

export const OPERATIONS: Operation[] = [
  { method: 'get', path: '/api/health', summary: 'Liveness of every hop and D1, with timings', tag: 'Platform', answer: HealthReport, problems: [503] },
  { method: 'get', path: '/api/products', summary: "The shop's active catalog with live availability", tag: 'Storefront', answer: c.ProductsResponse },
  { method: 'post', path: '/api/inventory/validate', summary: 'Availability per line (reads only)', tag: 'Storefront', body: c.ValidateRequest, answer: c.ValidateResponse, problems: [415, 503] },
  { method: 'get', path: '/api/cart', summary: 'The cart of the cookie, repriced and with live stock', tag: 'Storefront', answer: c.CartView },
  { method: 'post', path: '/api/cart', summary: 'Add to a line (creates the cart and its cookie)', tag: 'Storefront', body: c.CartAddRequest, answer: c.CartView, problems: [409, 415] },
  { method: 'patch', path: '/api/cart', summary: 'Set a line quantity (0 removes it)', tag: 'Storefront', body: c.CartSetRequest, answer: c.CartView, problems: [409, 415] },
  { method: 'put', path: '/api/cart', summary: 'Replace the whole cart', tag: 'Storefront', body: c.CartReplaceRequest, answer: c.CartView, problems: [409, 415] },
  { method: 'delete', path: '/api/cart', summary: 'Remove a line ({ sku }) or, without a body, empty the cart', tag: 'Storefront', body: c.CartRemoveRequest, answer: c.CartView },
  { method: 'post', path: '/api/checkout-session', summary: 'Create (or return) the checkout: repriced, idempotent, holds stock', tag: 'Checkout', body: c.CheckoutRequest, answer: c.CheckoutResponse, problems: [403, 409, 415, 422, 502, 503], headers: CHECKOUT_HEADERS },
  { method: 'post', path: '/api/checkout/session', summary: 'The same as POST /api/checkout-session', tag: 'Checkout', body: c.CheckoutRequest, answer: c.CheckoutResponse, problems: [403, 409, 415, 422, 502, 503], headers: CHECKOUT_HEADERS },
  { method: 'get', path: '/api/checkout/session/{id}', summary: 'Where a checkout stands, for the return page', tag: 'Checkout', answer: c.CheckoutStatusResponse, problems: [404], params: { id: 'The Checkout Session id (cs_...)' } },
  { method: 'post', path: '/api/stripe-webhook', summary: 'Stripe events (signature-verified, per shop)', tag: 'Checkout', answer: z.object({ received: z.literal(true), outcome: z.enum(['applied', 'duplicate', 'ignored', 'deferred']) }), problems: [503] },
  { method: 'get', path: '/api/admin/inventory', summary: 'onHand, held and available per variant', tag: 'Admin', admin: true, answer: StockList },
  { method: 'put', path: '/api/admin/inventory/{sku}', summary: 'Set the counted stock of a variant', tag: 'Admin', admin: true, body: c.SetStockRequest, answer: c.StockView, problems: [404, 409], params: { sku: 'The variant SKU' } },
  { method: 'post', path: '/api/admin/inventory/{sku}/adjust', summary: 'Add or remove stock with a reason', tag: 'Admin', admin: true, body: c.AdjustStockRequest, answer: c.StockView, problems: [404, 409], params: { sku: 'The variant SKU' } },
  { method: 'put', path: '/api/admin/catalog', summary: 'Upsert products and variants', tag: 'Admin', admin: true, body: c.CatalogUpsertRequest, answer: z.object({ products: z.int(), variants: z.int() }), problems: [409] },
  { method: 'get', path: '/api/admin/coupons', summary: 'List coupons', tag: 'Admin', admin: true, answer: z.object({ coupons: z.array(c.CouponView) }) },
  { method: 'post', path: '/api/admin/coupons', summary: 'Create a coupon', tag: 'Admin', admin: true, body: c.CouponCreateRequest, answer: c.CouponView, status: 201, problems: [409] },
  { method: 'post', path: '/api/admin/coupons/{code}/disable', summary: 'Disable a coupon', tag: 'Admin', admin: true, answer: c.CouponView, problems: [404], params: { code: 'The coupon code' } },
  { method: 'get', path: '/api/admin/orders', summary: 'Orders, newest first, with lines, attention flags, disputes and history', tag: 'Admin', admin: true, query: { status: 'Only orders in this status', limit: 'At most this many (1 to 200, default 50)' } },
  { method: 'get', path: '/api/admin/metrics', summary: 'Hold lifecycle, checkout outcomes and validation latency of the shop', tag: 'Admin', admin: true },
  { method: 'get', path: '/api/openapi.json', summary: 'This document', tag: 'Platform' },
  { method: 'get', path: '/api/docs', summary: 'This document, rendered', tag: 'Platform' },
];

const schema = (type: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(type, { io, unrepresentable: 'any', target: 'draft-2020-12' });

function problemResponse(status: number) {
  return { description: `Problem (${status})`, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
}

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const parameters = [
      ...Object.entries(op.params ?? {}).map(([name, description]) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } })),
      ...Object.entries(op.query ?? {}).map(([name, description]) => ({ name, in: 'query', required: false, description, schema: { type: 'string' } })),
      ...Object.entries(op.headers ?? {}).map(([name, description]) => ({ name, in: 'header', required: false, description, schema: { type: 'string' } })),
    ];
    const problems = [...new Set([...(op.body ? [400] : []), ...(op.admin ? [401] : []), 429, ...(op.problems ?? [])])].sort();
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      tags: [op.tag],
      ...(op.admin ? { security: [{ adminToken: [] }] } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(op.body ? { requestBody: { required: op.method !== 'delete', content: { 'application/json': { schema: schema(op.body, 'input') } } } } : {}),
      responses: {
        [String(op.status ?? 200)]: { description: 'OK', ...(op.answer ? { content: { 'application/json': { schema: schema(op.answer, 'output') } } } : {}) },
        ...Object.fromEntries(problems.map((status) => [String(status), problemResponse(status)])),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Edge commerce core',
      version: '1.0.0',
      description:
        'Inventory, cart and checkout for shops whose storefront is a static export. The shop is the one the request host serves. Money is integer minor units; errors are application/problem+json.',
    },
    servers: [{ url: '/' }],
    tags: [{ name: 'Storefront' }, { name: 'Checkout' }, { name: 'Admin' }, { name: 'Platform' }],
    paths,
    components: {
      schemas: { Problem: schema(c.Problem, 'output') },
      securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: "The shop's admin token" } },
    },
  };
}
