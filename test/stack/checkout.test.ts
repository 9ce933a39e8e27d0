// Checkout through the whole chain with the dev payment provider.
import { describe, expect, inject, it } from 'vitest';

const urls = inject('stackUrls');

describe('whole stack: checkout', () => {
  it('300 concurrent checkouts for 20 units (limits raised for this shop): exactly 20 succeed, the rest 409', async () => {
    const attempts = Array.from({ length: 300 }, (_, i) =>
      fetch(`${urls.othershop}/api/checkout-session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'cf-connecting-ip': `198.20.${i >> 8}.${i & 255}` },
        body: JSON.stringify({ items: [{ sku: 'OS-MUG-1', quantity: 1 }], email: `buyer${i}@example.com` }),
      }).then((r) => r.status),
    );
    const statuses = await Promise.all(attempts);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.filter((s) => s === 409)).toHaveLength(280);

    const products = (await (await fetch(`${urls.othershop}/api/products`, { headers: { 'cf-connecting-ip': '198.20.9.9' } })).json()) as {
      products: { variants: { sku: string; available: number }[] }[];
    };
    expect(products.products[0]!.variants[0]).toMatchObject({ sku: 'OS-MUG-1', available: 0 });
  }, 120_000);
});
