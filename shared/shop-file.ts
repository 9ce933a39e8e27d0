// The shape of a shop file (catalog/<shop>.json): the shop's configuration, its catalog and its opening
// stock. `npm run seed` loads every shop file into the local stack; the same files can seed production.
import { z } from 'zod';
import { CatalogUpsertRequest, Currency, ShopId, Sku } from './contracts';
import { DEFAULT_RATE_LIMITS } from './edge-config';

export const ShopConfig = z.strictObject({
  id: ShopId,
  name: z.string().min(1).max(200),
  status: z.enum(['active', 'inactive']).default('active'),
  hostnames: z.array(z.string().min(1)).min(1),
  allowedOrigins: z.array(z.url()).default([]),
  currency: Currency,
  // Stripe will not let a Checkout Session expire sooner than 30 minutes: holds must outlive sessions.
  holdTtlMinutes: z.int().min(30).max(1380).default(30),
  maxCartLines: z.int().min(1).max(100).default(50),
  maxLineQuantity: z.int().min(1).max(1000).default(10),
  inventoryPolicy: z.enum(['fail_closed', 'best_effort']).default('fail_closed'),
  paymentProvider: z.enum(['stripe', 'dev']).default('stripe'),
  checkoutUiMode: z.enum(['hosted_page', 'embedded_page']).default('hosted_page'),
  stripeSecretKeyBinding: z.string().regex(/^[A-Z][A-Z0-9_]*$/).optional(),
  stripeWebhookSecretBinding: z.string().regex(/^[A-Z][A-Z0-9_]*$/).optional(),
  /** Units one client (an IPv4 address or an IPv6 /64) may hold at once in open checkouts. */
  maxHeldUnitsPerClient: z.int().min(1).max(10_000).default(20),
  /** Cloudflare Turnstile for checkouts worth protecting: a total threshold and/or variants flagged in the catalog
   *  (`requiresChallenge`). The site key is public; the secret is read from the named binding. */
  challenge: z
    .strictObject({
      provider: z.literal('turnstile'),
      siteKey: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/),
      secretKeyBinding: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
      /** A checkout whose total (minor units) reaches this needs the challenge. */
      minTotal: z.int().min(0).optional(),
    })
    .optional(),
  /** Requests per minute per client IP, by route class (the gateway enforces them). */
  rateLimits: z
    .strictObject({
      read: z.int().min(1).default(DEFAULT_RATE_LIMITS.read),
      validate: z.int().min(1).default(DEFAULT_RATE_LIMITS.validate),
      cart: z.int().min(1).default(DEFAULT_RATE_LIMITS.cart),
      checkout: z.int().min(1).default(DEFAULT_RATE_LIMITS.checkout),
      admin: z.int().min(1).default(DEFAULT_RATE_LIMITS.admin),
    })
    .prefault({}),
  /** Where the shopper lands after paying or cancelling, on the storefront's own origin. */
  successPath: z.string().regex(/^\/[^?#]*$/).default('/checkout/success/'),
  cancelPath: z.string().regex(/^\/[^?#]*$/).default('/cart/'),
  /** ISO country codes to collect a shipping address for (empty: none). */
  shippingCountries: z.array(z.string().regex(/^[A-Z]{2}$/)).default([]),
  shippingOptions: z.array(z.strictObject({ name: z.string().min(1).max(100), amount: z.int().min(0) })).max(5).default([]),
  automaticTax: z.boolean().default(false),
  /** Order numbers read PREFIX-1001. */
  orderPrefix: z.string().regex(/^[A-Z0-9]{1,8}$/).default('ORD'),
  restockOnRefund: z.boolean().default(false),
  /** Where health alerts are POSTed (Slack-compatible `{ "text": ... }`), once per episode; optional. */
  alertWebhookUrl: z.url({ protocol: /^https?$/ }).max(2048).optional(),
  /** The name of the variable holding the admin token; only its SHA-256 is stored. */
  adminTokenVariable: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
});
export type ShopConfig = z.infer<typeof ShopConfig>;

export const ShopFile = z.strictObject({
  shop: ShopConfig,
  catalog: CatalogUpsertRequest,
  /** Opening stock per variant sku. */
  stock: z.record(Sku, z.int().min(0)),
});
export type ShopFile = z.infer<typeof ShopFile>;
