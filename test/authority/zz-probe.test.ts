import { env } from 'cloudflare:workers';
import { it } from 'vitest';
import { call, Shopper, putCatalog, setStock } from './helpers';
it('probe', async () => {
  await putCatalog('cochlearfit');
  await setStock('cochlearfit', 'HB-NAVY-M', 5);
  await setStock('cochlearfit', 'HB-PINK-M', 0);
  env.COST_ACCOUNTING = '1';
  const show = async (name: string, res: Response) => console.log(name, res.status, res.headers.get('x-cost'));
  await show('items', await call('/api/checkout-session', { method: 'POST', json: { items: [{ sku: 'HB-NAVY-M', quantity: 1 }] } }));
  await show('soldout', await call('/api/checkout-session', { method: 'POST', json: { items: [{ sku: 'HB-PINK-M', quantity: 1 }] } }));
  const s = new Shopper();
  await show('cart add', await s.cart('POST', { sku: 'HB-NAVY-M', quantity: 1 }));
  await show('cart checkout', await call('/api/checkout-session', { method: 'POST', headers: { cookie: s.cookie!, 'cf-connecting-ip': '1.2.3.4' } }));
  await show('cart checkout again', await call('/api/checkout-session', { method: 'POST', headers: { cookie: s.cookie!, 'cf-connecting-ip': '1.2.3.4' } }));
  await show('key checkout', await call('/api/checkout-session', { method: 'POST', json: { items: [{ sku: 'HB-NAVY-M', quantity: 1 }], coupon: undefined }, headers: { 'idempotency-key': 'k1', 'x-client-ip': '1.2.3.5' } }));
  await show('products', await call('/api/products'));
  env.COST_ACCOUNTING = undefined;
});
