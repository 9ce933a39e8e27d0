// Runs before each authority test file (storage is isolated per file): the schema, and three shops.
import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { sha256Hex } from '../../workers/commerce-authority/src/http/admin-auth';
import { TEST_SHOPS } from './helpers';

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
const now = Date.now();
for (const shop of TEST_SHOPS) {
  await env.DB.prepare(
    `INSERT OR IGNORE INTO shops (id, name, status, hostnames, allowed_origins, currency, inventory_policy, payment_provider,
       stripe_secret_key_binding, stripe_webhook_secret_binding, admin_token_hash, created_at, updated_at)
     VALUES (?, ?, ?, ?, '[]', 'gbp', ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      shop.id,
      shop.id,
      shop.status,
      JSON.stringify([`${shop.id}.test`]),
      shop.inventoryPolicy,
      shop.provider,
      `STRIPE_SECRET_KEY_${shop.id.toUpperCase()}`,
      `STRIPE_WEBHOOK_SECRET_${shop.id.toUpperCase()}`,
      await sha256Hex(shop.token),
      now,
      now,
    )
    .run();
}
