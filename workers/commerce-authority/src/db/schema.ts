// The D1 schema. Migrations in d1-migrations/ are generated from this file by `npm run db:generate`;
// never edit a migration that has landed. Every table that holds shop data carries shop_id, and every
// query filters on it.
import { sql } from 'drizzle-orm';
import { check, foreignKey, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const timestamps = {
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
};

export const shops = sqliteTable(
  'shops',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    status: text('status', { enum: ['active', 'inactive'] }).notNull().default('active'),
    /** Storefront hostnames; the first is canonical and builds return URLs. */
    hostnames: text('hostnames', { mode: 'json' }).$type<string[]>().notNull(),
    allowedOrigins: text('allowed_origins', { mode: 'json' }).$type<string[]>().notNull(),
    currency: text('currency').notNull(),
    holdTtlMinutes: integer('hold_ttl_minutes').notNull().default(30),
    maxCartLines: integer('max_cart_lines').notNull().default(50),
    maxLineQuantity: integer('max_line_quantity').notNull().default(10),
    inventoryPolicy: text('inventory_policy', { enum: ['fail_closed', 'best_effort'] })
      .notNull()
      .default('fail_closed'),
    paymentProvider: text('payment_provider', { enum: ['stripe', 'dev'] }).notNull().default('stripe'),
    checkoutUiMode: text('checkout_ui_mode', { enum: ['hosted_page', 'embedded_page'] })
      .notNull()
      .default('hosted_page'),
    /** Names of the Worker secret bindings holding this shop's Stripe keys; never the keys. */
    stripeSecretKeyBinding: text('stripe_secret_key_binding'),
    stripeWebhookSecretBinding: text('stripe_webhook_secret_binding'),
    /** Requests per minute per client IP, by route class; the gateway enforces them. */
    rateLimitReadPerMinute: integer('rate_limit_read_per_minute').notNull().default(300),
    rateLimitValidatePerMinute: integer('rate_limit_validate_per_minute').notNull().default(60),
    rateLimitCartPerMinute: integer('rate_limit_cart_per_minute').notNull().default(120),
    rateLimitCheckoutPerMinute: integer('rate_limit_checkout_per_minute').notNull().default(10),
    rateLimitAdminPerMinute: integer('rate_limit_admin_per_minute').notNull().default(120),
    /** Checkout: where the shopper lands after paying or cancelling, on the storefront's own origin. */
    successPath: text('success_path').notNull().default('/checkout/success/'),
    cancelPath: text('cancel_path').notNull().default('/cart/'),
    /** ISO country codes Stripe collects a shipping address for; empty: no shipping address. */
    shippingCountries: text('shipping_countries', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    /** Fixed shipping rates offered at checkout. */
    shippingOptions: text('shipping_options', { mode: 'json' })
      .$type<{ name: string; amount: number }[]>()
      .notNull()
      .default(sql`'[]'`),
    automaticTax: integer('automatic_tax', { mode: 'boolean' }).notNull().default(false),
    /** Order numbers read `${orderPrefix}-${number}`, e.g. CF-1001. */
    orderPrefix: text('order_prefix').notNull().default('ORD'),
    /** Whether a full refund puts the items back on sale. */
    restockOnRefund: integer('restock_on_refund', { mode: 'boolean' }).notNull().default(false),
    /** Units one client (IPv4 address or IPv6 /64) may hold at once in live checkouts. Enforced by the
     *  checkouts_client_hold_cap trigger (d1-migrations), so racing claims cannot pass it together. */
    maxHeldUnitsPerClient: integer('max_held_units_per_client').notNull().default(20),
    /** Cloudflare Turnstile: the public site key, and the name of the secret binding (never the secret). */
    turnstileSiteKey: text('turnstile_site_key'),
    turnstileSecretBinding: text('turnstile_secret_binding'),
    /** A checkout whose total reaches this (minor units) must pass a challenge; null: no threshold. */
    challengeMinTotal: integer('challenge_min_total'),
    /** Where the cron POSTs an alert (Slack-compatible `{ text }`), once per episode (retried if it fails); null: none. */
    alertWebhookUrl: text('alert_webhook_url'),
    /** SHA-256 (hex) of the shop's admin bearer token. */
    adminTokenHash: text('admin_token_hash').notNull(),
    ...timestamps,
  },
  (t) => [
    check('shops_hold_ttl_min', sql`${t.holdTtlMinutes} >= 30 AND ${t.holdTtlMinutes} <= 1440`),
    check('shops_cart_limits', sql`${t.maxCartLines} >= 1 AND ${t.maxLineQuantity} >= 1`),
  ],
);

export const products = sqliteTable(
  'products',
  {
    shopId: text('shop_id')
      .notNull()
      .references(() => shops.id),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    sortOrder: integer('sort_order').notNull().default(0),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.shopId, t.sku] })],
);

export const variants = sqliteTable(
  'variants',
  {
    shopId: text('shop_id')
      .notNull()
      .references(() => shops.id),
    sku: text('sku').notNull(),
    productSku: text('product_sku').notNull(),
    /** variantKey(productSku, attributes): the identity of this variant's InventoryDO. */
    variantKey: text('variant_key').notNull(),
    attributes: text('attributes', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    unitAmount: integer('unit_amount').notNull(),
    currency: text('currency').notNull(),
    stripePriceId: text('stripe_price_id'),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    /** Sold beyond stock (made to order): no hold is taken and availability never blocks it. */
    backorder: integer('backorder', { mode: 'boolean' }).notNull().default(false),
    /** At most this many in one cart or checkout (a limited drop); null: only the shop's line limit. */
    maxPerCheckout: integer('max_per_checkout'),
    /** A checkout with this variant must pass the shop's challenge (Turnstile). */
    requiresChallenge: integer('requires_challenge', { mode: 'boolean' }).notNull().default(false),
    sortOrder: integer('sort_order').notNull().default(0),
    /** The merchant's console highlights the variant when its available units fall to this; null: never. */
    lowStockThreshold: integer('low_stock_threshold'),
    ...timestamps,
  },
  (t) => [
    primaryKey({ columns: [t.shopId, t.sku] }),
    foreignKey({ columns: [t.shopId, t.productSku], foreignColumns: [products.shopId, products.sku] }),
    uniqueIndex('variants_shop_variant_key').on(t.shopId, t.variantKey),
    index('variants_shop_product').on(t.shopId, t.productSku),
    check('variants_unit_amount', sql`${t.unitAmount} >= 0`),
  ],
);

export const reservations = sqliteTable(
  'reservations',
  {
    id: text('id').primaryKey(),
    shopId: text('shop_id')
      .notNull()
      .references(() => shops.id),
    /** pending: holds being taken; active: all held; rejected: short stock, nothing held;
     *  failed: stock unreachable, holds released; releasing: a release failed part-way and the reaper retries it;
     *  released / committed / expired: ended. A `released` (or, while its stock objects let go, `releasing`) row
     *  with no checkout is the fence of holds given back before any checkout recorded them: no checkout may then be
     *  claimed with its id (migrations 0017, 0018). */
    status: text('status', {
      enum: ['pending', 'active', 'rejected', 'failed', 'releasing', 'released', 'committed', 'expired'],
    }).notNull(),
    expiresAt: integer('expires_at').notNull(),
    /** One line per variant. In the variant's InventoryDO the hold id is the reservation id; backorder lines
     *  take no hold (`held` false). Kept on the row: a reservation is written in one row, never line by line. */
    lines: text('lines', { mode: 'json' }).$type<ReservationLine[]>().notNull().default(sql`'[]'`),
    ...timestamps,
  },
  (t) => [index('reservations_status_expiry').on(t.status, t.expiresAt)],
);

export interface ReservationLine {
  variantKey: string;
  sku: string;
  quantity: number;
  held: boolean;
}

export type ShopRow = typeof shops.$inferSelect;
export type VariantRow = typeof variants.$inferSelect;
export type ProductRow = typeof products.$inferSelect;
export type ReservationRow = typeof reservations.$inferSelect;

export const carts = sqliteTable(
  'carts',
  {
    id: text('id').primaryKey(),
    shopId: text('shop_id')
      .notNull()
      .references(() => shops.id),
    ...timestamps,
  },
  (t) => [index('carts_updated').on(t.updatedAt), index('carts_shop').on(t.shopId)],
);

/** A cart line is only a sku and a quantity: prices and names are read from the catalog at every read. */
export const cartLines = sqliteTable(
  'cart_lines',
  {
    cartId: text('cart_id')
      .notNull()
      .references(() => carts.id, { onDelete: 'cascade' }),
    shopId: text('shop_id').notNull(),
    sku: text('sku').notNull(),
    quantity: integer('quantity').notNull(),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.cartId, t.sku] }), check('cart_lines_qty', sql`${t.quantity} > 0`)],
);

export type CartRow = typeof carts.$inferSelect;

export const coupons = sqliteTable(
  'coupons',
  {
    shopId: text('shop_id')
      .notNull()
      .references(() => shops.id),
    /** Upper case: codes are matched case-insensitively. */
    code: text('code').notNull(),
    percentOff: integer('percent_off'),
    amountOff: integer('amount_off'),
    startsAt: integer('starts_at'),
    endsAt: integer('ends_at'),
    minSubtotal: integer('min_subtotal').notNull().default(0),
    /** Live (reserved by an open checkout) plus paid uses never exceed this: see couponRedemptions. */
    maxRedemptions: integer('max_redemptions'),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    ...timestamps,
  },
  (t) => [
    primaryKey({ columns: [t.shopId, t.code] }),
    check(
      'coupons_one_discount',
      sql`(${t.percentOff} IS NULL) <> (${t.amountOff} IS NULL) AND (${t.percentOff} IS NULL OR ${t.percentOff} BETWEEN 1 AND 100) AND (${t.amountOff} IS NULL OR ${t.amountOff} > 0)`,
    ),
  ],
);

/**
 * One use of a coupon by one checkout: reserved when the checkout opens, redeemed when it is paid, released
 * when it ends unpaid. The coupon_redemptions_limit trigger (d1-migrations) refuses a reservation that would
 * take live-or-paid uses past maxRedemptions, or that names a disabled coupon, atomically with the insert.
 */
export const couponRedemptions = sqliteTable(
  'coupon_redemptions',
  {
    checkoutId: text('checkout_id').primaryKey(),
    shopId: text('shop_id').notNull(),
    code: text('code').notNull(),
    status: text('status', { enum: ['reserved', 'redeemed', 'released'] }).notNull(),
    ...timestamps,
  },
  (t) => [
    foreignKey({ columns: [t.shopId, t.code], foreignColumns: [coupons.shopId, coupons.code] }),
    index('coupon_redemptions_coupon').on(t.shopId, t.code, t.status),
  ],
);

export type CouponRedemptionRow = typeof couponRedemptions.$inferSelect;

export interface PricedLine {
  sku: string;
  variantKey: string;
  name: string;
  attributes: Record<string, string>;
  quantity: number;
  unitAmount: number;
  lineAmount: number;
  stripePriceId: string | null;
  /** Sold beyond stock: takes no hold. (Absent on checkouts written before it existed: false.) */
  backorder?: boolean;
}

export const checkouts = sqliteTable(
  'checkouts',
  {
    id: text('id').primaryKey(),
    shopId: text('shop_id')
      .notNull()
      .references(() => shops.id),
    /** Who may reuse it: the client's Idempotency-Key, or the cart plus its content; a key of its own otherwise
     *  (see domain/idempotency.ts). One live checkout per key. */
    idempotencyKey: text('idempotency_key').notNull(),
    /** SHA-256 of the normalized request: the same key with another request is refused (422). */
    requestHash: text('request_hash').notNull().default(''),
    /** The client (IPv4 address or IPv6 /64) that opened it, for the cap on held units; null when unknown. */
    clientKey: text('client_key'),
    /** Units this checkout holds (backorder lines hold none). */
    heldUnits: integer('held_units').notNull().default(0),
    /** The cart it was made from, if any: a newer checkout of the same cart supersedes it (one live per cart). */
    cartId: text('cart_id'),
    /** Equal to the checkout id: one reservation per checkout. */
    reservationId: text('reservation_id').notNull(),
    provider: text('provider', { enum: ['stripe', 'dev'] }).notNull(),
    sessionId: text('session_id'),
    sessionUrl: text('session_url'),
    clientSecret: text('client_secret'),
    uiMode: text('ui_mode', { enum: ['hosted_page', 'embedded_page'] }).notNull(),
    email: text('email'),
    couponCode: text('coupon_code'),
    lines: text('lines', { mode: 'json' }).$type<PricedLine[]>().notNull(),
    subtotal: integer('subtotal').notNull(),
    discount: integer('discount').notNull(),
    shipping: integer('shipping').notNull(),
    tax: integer('tax').notNull(),
    total: integer('total').notNull(),
    currency: text('currency').notNull(),
    /** open: live, with its session (since 0020 a row is written once its session exists; rows of older
     *  versions were open with no session while it was made); pending: the same, as rows written before 0011
     *  say it; complete: paid or awaiting payment; the rest ended. */
    status: text('status', { enum: ['pending', 'open', 'complete', 'expired', 'failed', 'superseded'] }).notNull(),
    expiresAt: integer('expires_at').notNull(),
    ...timestamps,
  },
  (t) => [
    // Only one live (pending or open) checkout per key; once it ends, the same inputs make a new checkout.
    uniqueIndex('checkouts_live_key')
      .on(t.shopId, t.idempotencyKey)
      .where(sql`status IN ('pending', 'open')`),
    index('checkouts_key').on(t.shopId, t.idempotencyKey),
    // Partial where they can be: every index entry a checkout's row need not have is a D1 row write saved
    // (decision 0015). The row is written once, with its session (0020), and then only when it ends.
    uniqueIndex('checkouts_session').on(t.sessionId).where(sql`session_id IS NOT NULL`),
    index('checkouts_cart').on(t.shopId, t.cartId).where(sql`cart_id IS NOT NULL`),
    // And one live checkout per cart, whatever its key: two tabs checking out one cart at once cannot both hold.
    uniqueIndex('checkouts_live_cart')
      .on(t.shopId, t.cartId)
      .where(sql`cart_id IS NOT NULL AND status IN ('pending', 'open')`),
    index('checkouts_live_expiry').on(t.expiresAt).where(sql`status IN ('pending', 'open')`),
    // For the retention purge; entered when a checkout ends, never on the checkout path.
    index('checkouts_ended_expiry').on(t.expiresAt).where(sql`status IN ('complete', 'expired', 'failed', 'superseded')`),
    index('checkouts_client').on(t.shopId, t.clientKey).where(sql`status IN ('pending', 'open')`),
  ],
);

export type CouponRow = typeof coupons.$inferSelect;
export type CheckoutRow = typeof checkouts.$inferSelect;

/** Stripe events already applied: a redelivery finds its row and changes nothing. Written in the same
 *  transaction as the event's effects, so an event is done exactly when its effects are. */
export const stripeEvents = sqliteTable(
  'stripe_events',
  {
    shopId: text('shop_id')
      .notNull()
      .references(() => shops.id),
    id: text('id').notNull(),
    type: text('type').notNull(),
    /** The Checkout Session (or other object) the event was about. */
    objectId: text('object_id'),
    processedAt: integer('processed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.id] }), index('stripe_events_processed').on(t.processedAt)],
);

/** Refund and dispute events that arrived before their order was paid: kept here, applied when it is. */
export const deferredStripeEvents = sqliteTable(
  'deferred_stripe_events',
  {
    shopId: text('shop_id')
      .notNull()
      .references(() => shops.id),
    id: text('id').notNull(),
    type: text('type').notNull(),
    paymentIntentId: text('payment_intent_id').notNull(),
    /** The verified event as Stripe sent it. */
    payload: text('payload').notNull(),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.shopId, t.id] }),
    index('deferred_stripe_events_intent').on(t.shopId, t.paymentIntentId),
    index('deferred_stripe_events_received').on(t.receivedAt),
  ],
);

/** One webhook at a time per order: a lease row per (shop, session), deleted when the handler is done. */
export const webhookLocks = sqliteTable(
  'webhook_locks',
  {
    shopId: text('shop_id').notNull(),
    key: text('key').notNull(),
    holder: text('holder').notNull(),
    /** A crashed holder's lease lapses at this time (epoch ms). */
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.key] })],
);

export interface Fulfilment {
  carrier: string;
  trackingNumber: string;
  fulfilledAt: number;
}

export type OrderStatus = 'pending_payment' | 'paid' | 'payment_failed' | 'partially_refunded' | 'refunded';

export const orders = sqliteTable(
  'orders',
  {
    id: text('id').primaryKey(),
    shopId: text('shop_id')
      .notNull()
      .references(() => shops.id),
    /** Per shop, from 1001: the human order number is `${shop.orderPrefix}-${number}`. */
    number: integer('number').notNull(),
    checkoutId: text('checkout_id').notNull(),
    sessionId: text('session_id').notNull(),
    paymentIntentId: text('payment_intent_id'),
    status: text('status', { enum: ['pending_payment', 'paid', 'payment_failed', 'partially_refunded', 'refunded'] }).notNull(),
    /** Why an operator must look: the amount Stripe took differs from ours, or the stock was gone. */
    attention: text('attention', { enum: ['amount_mismatch', 'oversold'] }),
    email: text('email'),
    shippingAddress: text('shipping_address', { mode: 'json' }).$type<Record<string, unknown>>(),
    couponCode: text('coupon_code'),
    currency: text('currency').notNull(),
    subtotal: integer('subtotal').notNull(),
    discount: integer('discount').notNull(),
    shipping: integer('shipping').notNull(),
    tax: integer('tax').notNull(),
    total: integer('total').notNull(),
    /** charge.amount_refunded - (failed refunds Stripe reported after that snapshot), never below 0. */
    amountRefunded: integer('amount_refunded').notNull().default(0),
    /** The newest charge.refunded snapshot: the charge's amount_refunded and the event's `created` (s). */
    chargeRefunded: integer('charge_refunded').notNull().default(0),
    chargeRefundedAt: integer('charge_refunded_at').notNull().default(0),
    /** A chargeback on the payment: open, or closed in our favour or not. */
    dispute: text('dispute', { enum: ['disputed', 'won', 'lost'] }),
    /** Set once, when the merchant ships the order: carrier, tracking number and when (epoch ms). */
    fulfilment: text('fulfilment', { mode: 'json' }).$type<Fulfilment>(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('orders_session').on(t.sessionId),
    uniqueIndex('orders_shop_number').on(t.shopId, t.number),
    index('orders_shop_status').on(t.shopId, t.status, t.createdAt),
    // The console's search by email prefix, case-insensitive (Stripe sends the address as the shopper typed it).
    index('orders_shop_email').on(t.shopId, sql`lower(${t.email})`),
    // The CSV export's date range.
    index('orders_shop_created').on(t.shopId, t.createdAt),
    index('orders_payment_intent').on(t.shopId, t.paymentIntentId),
  ],
);

export const orderLines = sqliteTable(
  'order_lines',
  {
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    sku: text('sku').notNull(),
    variantKey: text('variant_key').notNull(),
    name: text('name').notNull(),
    attributes: text('attributes', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    quantity: integer('quantity').notNull(),
    unitAmount: integer('unit_amount').notNull(),
    lineAmount: integer('line_amount').notNull(),
    /** Units taken out of stock for this line (0 for backorder and oversold lines): what a refund may restock. */
    committed: integer('committed').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.sku] })],
);

/** Refunds Stripe reported failed, by refund id: each restores its amount once, in any order of arrival. */
export const orderRefundFailures = sqliteTable(
  'order_refund_failures',
  {
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    shopId: text('shop_id').notNull(),
    refundId: text('refund_id').notNull(),
    amount: integer('amount').notNull(),
    /** The failure event's `created` (s): a charge.refunded snapshot taken later already excludes it. */
    failedAt: integer('failed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.refundId] })],
);

/** Every status an order went through, with the event that moved it. */
export const orderHistory = sqliteTable(
  'order_history',
  {
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    at: integer('at').notNull(),
    status: text('status').notNull(),
    note: text('note').notNull(),
  },
  (t) => [
    index('order_history_order').on(t.orderId, t.at),
    // An order enters each status once: a racing duplicate (another event for the same session) adds nothing.
    uniqueIndex('order_history_once').on(t.orderId, t.status),
  ],
);

export type OrderRow = typeof orders.$inferSelect;

/** Monotonic counters per shop (hold lifecycle, checkout outcomes, validation latency buckets). */
export const metricCounters = sqliteTable(
  'metric_counters',
  {
    shopId: text('shop_id').notNull(),
    name: text('name').notNull(),
    value: integer('value').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.name] })],
);

/**
 * The same counters per hour (epoch ms at the start of the hour), for the console's charts and the alerts. The key
 * leads with (shop, hour), so a shop's window is one range of the primary key. Purged after 35 days (retention.ts).
 */
export const metricHourly = sqliteTable(
  'metric_hourly',
  {
    shopId: text('shop_id').notNull(),
    hour: integer('hour').notNull(),
    name: text('name').notNull(),
    value: integer('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.hour, t.name] })],
);

/** An alert episode in progress, one row per (shop, kind): inserted when it starts, deleted when it clears. */
export const alertStates = sqliteTable(
  'alert_states',
  {
    shopId: text('shop_id').notNull(),
    kind: text('kind', { enum: ['hold_expiration_rate', 'checkout_failure_rate', 'webhook_failures'] }).notNull(),
    activeSince: integer('active_since').notNull(),
    /** The measured value at the last evaluation (a rate 0..1, or a count). */
    value: real('value').notNull(),
    threshold: real('threshold').notNull(),
    /** When the shop's alert webhook accepted this episode's POST (2xx); null: no webhook, or not yet. */
    notifiedAt: integer('notified_at'),
    /** POSTs tried for this episode, and when the next may go (null: delivered, no webhook, or given up). */
    notifyAttempts: integer('notify_attempts').notNull().default(0),
    nextNotifyAt: integer('next_notify_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.kind] })],
);
