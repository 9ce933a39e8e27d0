// The public API's request and response shapes, written once. The authority's route declarations validate with
// them and write the OpenAPI document from them; the browser client takes its types from them. Requests are
// strict: an unknown field is a 400.
import { z } from 'zod';

/** Absolute ceilings that hold for every shop; per-shop limits (cart lines, line quantity) sit below them. */
export const LIMITS = {
  itemsPerRequest: 100,
  quantity: 1000,
  attributesPerVariant: 8,
  catalogProductsPerRequest: 200,
  catalogVariantsPerProduct: 100,
  catalogVariantsPerRequest: 1000,
  onHand: 1_000_000,
  unitAmount: 100_000_000,
} as const;

export const ShopId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a lower-case shop slug');
export const Sku = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore only');
export const Quantity = z.int().min(1).max(LIMITS.quantity);
export const Currency = z.string().regex(/^[a-z]{3}$/, 'an ISO 4217 code in lower case, e.g. gbp');
/** Integer minor units (pence, cents). */
export const MinorUnits = z.int().min(0).max(LIMITS.unitAmount);

const AttributeName = z.string().trim().min(1).max(32);
const AttributeValue = z.string().trim().min(1).max(64);
export const VariantAttributes = z
  .record(AttributeName, AttributeValue)
  .refine((attrs) => Object.keys(attrs).length <= LIMITS.attributesPerVariant, {
    message: `at most ${LIMITS.attributesPerVariant} attributes`,
  });

export const LineRequest = z.strictObject({
  sku: Sku,
  quantity: Quantity,
  variantAttributes: VariantAttributes.optional(),
});
export type LineRequest = z.infer<typeof LineRequest>;

// POST /api/inventory/validate
export const ValidateRequest = z.strictObject({
  items: z.array(LineRequest).min(1).max(LIMITS.itemsPerRequest),
  shopId: ShopId.optional(),
});
export type ValidateRequest = z.infer<typeof ValidateRequest>;

export const LineUnavailableReason = z.enum(['unknown_sku', 'inactive', 'insufficient_stock']);
export type LineUnavailableReason = z.infer<typeof LineUnavailableReason>;

export const ValidateLine = z.object({
  sku: z.string(),
  variantKey: z.string(),
  requested: z.int(),
  /** null only when a best-effort shop (never in production) could not read the stock. */
  available: z.int().nullable(),
  ok: z.boolean(),
  reason: LineUnavailableReason.optional(),
});
export const ValidateResponse = z.object({ ok: z.boolean(), items: z.array(ValidateLine) });
export type ValidateResponse = z.infer<typeof ValidateResponse>;

// GET /api/products
export const ProductVariantView = z.object({
  sku: z.string(),
  variantKey: z.string(),
  attributes: z.record(z.string(), z.string()),
  unitAmount: z.int(),
  currency: z.string(),
  /** Units a shopper can buy now; null only when a best-effort shop could not read the stock. */
  available: z.int().nullable(),
  /** Sold beyond stock: orderable even when available is 0. */
  backorder: z.boolean(),
  /** At most this many in one cart or checkout (a limited drop); null: only the shop's line limit. */
  maxPerCheckout: z.int().nullable(),
  /** A checkout with this variant needs a challenge token (see `challenge`). */
  requiresChallenge: z.boolean(),
});
export const ProductView = z.object({
  sku: z.string(),
  name: z.string(),
  description: z.string(),
  variants: z.array(ProductVariantView),
});
/** Set when some checkouts of this shop must pass a Cloudflare Turnstile challenge first. */
export const ChallengeConfig = z.object({
  provider: z.literal('turnstile'),
  /** The public site key for the widget. */
  siteKey: z.string(),
  /** A checkout whose total (minor units) reaches this needs the challenge; null: only flagged variants. */
  minTotal: z.int().nullable(),
});
export type ChallengeConfig = z.infer<typeof ChallengeConfig>;
export const ProductsResponse = z.object({
  currency: z.string(),
  /** The most of one item a cart or checkout may hold. */
  maxLineQuantity: z.int(),
  challenge: ChallengeConfig.nullable(),
  products: z.array(ProductView),
});
export type ProductsResponse = z.infer<typeof ProductsResponse>;

// Admin: stock
const StockReason = z.string().trim().min(1).max(200);
export const SetStockRequest = z.strictObject({
  onHand: z.int().min(0).max(LIMITS.onHand),
  /** Why (a stocktake, say); recorded with the change. Default: "count set by admin". */
  reason: StockReason.optional(),
});
export const AdjustStockRequest = z.strictObject({
  delta: z
    .int()
    .min(-LIMITS.onHand)
    .max(LIMITS.onHand)
    .refine((d) => d !== 0, 'must not be zero'),
  reason: StockReason,
});
export const StockView = z.object({
  sku: z.string(),
  variantKey: z.string(),
  onHand: z.int(),
  held: z.int(),
  available: z.int(),
});
export type StockView = z.infer<typeof StockView>;
export const LowStockThreshold = z.int().min(0).max(LIMITS.onHand);
export const StockItemView = StockView.extend({
  productSku: z.string(),
  productName: z.string(),
  attributes: z.record(z.string(), z.string()),
  sellable: z.boolean(),
  backorder: z.boolean(),
  /** Highlight the variant when available falls to this; null: no threshold. */
  lowStockThreshold: LowStockThreshold.nullable(),
  /** available <= lowStockThreshold (never for backorder variants). */
  lowStock: z.boolean(),
});
export type StockItemView = z.infer<typeof StockItemView>;
export const StockListResponse = z.object({ items: z.array(StockItemView) });
export const LowStockRequest = z.strictObject({ lowStockThreshold: LowStockThreshold.nullable() });
export const StockChangesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'At most this many, newest first (1 to 100)' }),
});
/** A set or adjust of onHand, as the variant's stock object recorded it (kept 30 days). */
export const StockChangeView = z.object({
  kind: z.enum(['set', 'adjust']),
  /** set: the counted figure; adjust: the delta. */
  requested: z.int(),
  reason: z.string(),
  /** false: refused because it would leave fewer on hand than held (nothing changed). */
  accepted: z.boolean(),
  onHandAfter: z.int(),
  at: z.string(),
});
export const StockChangesResponse = z.object({ sku: z.string(), changes: z.array(StockChangeView) });

// Admin: catalog upsert
export const CatalogVariantInput = z.strictObject({
  sku: Sku,
  attributes: VariantAttributes.default({}),
  unitAmount: MinorUnits,
  currency: Currency.optional(),
  stripePriceId: z.string().regex(/^price_[A-Za-z0-9]+$/).optional(),
  active: z.boolean().default(true),
  backorder: z.boolean().default(false),
  /** A purchase limit for a limited drop: at most this many per cart and per checkout. */
  maxPerCheckout: z.int().min(1).max(LIMITS.quantity).optional(),
  /** Checkouts with this variant must pass the shop's challenge (Turnstile). */
  requiresChallenge: z.boolean().default(false),
});
export const CatalogProductInput = z.strictObject({
  sku: Sku,
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).default(''),
  active: z.boolean().default(true),
  variants: z.array(CatalogVariantInput).min(1).max(LIMITS.catalogVariantsPerProduct),
});
export const CatalogUpsertRequest = z
  .strictObject({ products: z.array(CatalogProductInput).min(1).max(LIMITS.catalogProductsPerRequest) })
  .refine((r) => r.products.reduce((n, p) => n + p.variants.length, 0) <= LIMITS.catalogVariantsPerRequest, {
    path: ['products'],
    message: `at most ${LIMITS.catalogVariantsPerRequest} variants per request; send the catalog in parts`,
  });
export type CatalogUpsertRequest = z.infer<typeof CatalogUpsertRequest>;
/** What a caller may send: fields with defaults may be left out. */
export type CatalogUpsertInput = z.input<typeof CatalogUpsertRequest>;
/** How many products and variants were written. */
export const CatalogUpsertResponse = z.object({ products: z.int(), variants: z.int() });

// /api/cart
export const CartAddRequest = LineRequest;
export const CartSetRequest = z.strictObject({
  sku: Sku,
  /** 0 removes the line. */
  quantity: z.int().min(0).max(LIMITS.quantity),
  variantAttributes: VariantAttributes.optional(),
});
export const CartRemoveRequest = z.strictObject({ sku: Sku, variantAttributes: VariantAttributes.optional() });
export const CartReplaceRequest = z.strictObject({ items: z.array(LineRequest).max(LIMITS.itemsPerRequest) });

export const CartLineProblem = z.enum(['unknown_sku', 'inactive', 'insufficient_stock', 'over_limit']);
export type CartLineProblem = z.infer<typeof CartLineProblem>;

export const CartLineView = z.object({
  sku: z.string(),
  variantKey: z.string().nullable(),
  name: z.string(),
  attributes: z.record(z.string(), z.string()),
  quantity: z.int(),
  /** The most of this item one cart or checkout may hold (the shop's line limit, or the variant's own). */
  maxQuantity: z.int(),
  /** The catalog's price now, never the price when the line was added. */
  unitAmount: z.int(),
  /** unitAmount x quantity; 0 for a line that cannot be bought (unknown or inactive variant). */
  lineAmount: z.int(),
  available: z.int().nullable(),
  /** Why this line cannot be checked out as it is; the line is kept, never dropped silently. */
  problem: CartLineProblem.optional(),
});
export const CartView = z.object({
  /** null until the cart's first change: reading creates nothing. */
  id: z.string().nullable(),
  currency: z.string(),
  lines: z.array(CartLineView),
  subtotal: z.int(),
  itemCount: z.int(),
  /** Set when checking out this cart as it is asks for a challenge: show the widget, send its token. */
  challenge: ChallengeConfig.nullable(),
});
export type CartView = z.infer<typeof CartView>;
export type CartLineView = z.infer<typeof CartLineView>;

// POST /api/checkout-session (and /api/checkout/session)
/**
 * Price fields a static site may keep in its own cart for display. They are accepted so such a cart can be
 * sent as it is, and ignored: every amount is read from the catalog.
 */
const IgnoredPriceFields = {
  unitAmount: z.unknown().optional(),
  lineAmount: z.unknown().optional(),
  price: z.unknown().optional(),
  amount: z.unknown().optional(),
  currency: z.unknown().optional(),
  name: z.unknown().optional(),
};
export const CheckoutLineRequest = z.strictObject({
  sku: Sku,
  quantity: Quantity,
  variantAttributes: VariantAttributes.optional(),
  ...IgnoredPriceFields,
});
export const CouponCode = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, dash and underscore only')
  .transform((code) => code.toUpperCase());
export const UiMode = z.enum(['hosted_page', 'embedded_page']);
export const CheckoutRequest = z.strictObject({
  /** The lines to buy; without them, the cart of the cookie is used. */
  items: z.array(CheckoutLineRequest).min(1).max(LIMITS.itemsPerRequest).optional(),
  coupon: CouponCode.optional(),
  // Trimmed and lower-cased before it is checked; documented as what it must be.
  email: z.string().trim().toLowerCase().pipe(z.email().max(254)).meta({ format: 'email', maxLength: 254 }).optional(),
  uiMode: UiMode.optional(),
  /** The Turnstile widget's token, when the shop asks for a challenge (single use). */
  challengeToken: z.string().min(1).max(2048).optional(),
  subtotal: z.unknown().optional(),
  total: z.unknown().optional(),
  amounts: z.unknown().optional(),
});
export type CheckoutRequest = z.infer<typeof CheckoutRequest>;

export const CheckoutAmounts = z.object({
  subtotal: z.int(),
  discount: z.int(),
  /** Chosen by the shopper on the payment page; 0 until then. */
  shipping: z.int(),
  /** Computed by the payment provider when automatic tax is on; 0 until then. */
  tax: z.int(),
  total: z.int(),
});
export const CheckoutLineView = z.object({
  sku: z.string(),
  variantKey: z.string(),
  name: z.string(),
  attributes: z.record(z.string(), z.string()),
  quantity: z.int(),
  unitAmount: z.int(),
  lineAmount: z.int(),
});
export const CheckoutResponse = z.object({
  checkoutId: z.string(),
  sessionId: z.string(),
  /** hosted_page: where to send the shopper. */
  url: z.string().optional(),
  /** embedded_page: for Stripe.js embedded checkout. */
  clientSecret: z.string().optional(),
  /** When the session and its stock holds end (ISO 8601). */
  expiresAt: z.string(),
  currency: z.string(),
  amounts: CheckoutAmounts,
  lines: z.array(CheckoutLineView),
});
export type CheckoutResponse = z.infer<typeof CheckoutResponse>;

/** The Idempotency-Key header of checkouts and admin stock changes (also what Stripe's keys allow, with room). */
export const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{1,200}$/, 'must be 1 to 200 visible ASCII characters');

// Admin: coupons
export const CouponCreateRequest = z
  .strictObject({
    code: CouponCode,
    percentOff: z.int().min(1).max(100).optional(),
    amountOff: z.int().min(1).max(LIMITS.unitAmount).optional(),
    startsAt: z.iso.datetime({ offset: true }).optional(),
    endsAt: z.iso.datetime({ offset: true }).optional(),
    minSubtotal: MinorUnits.default(0),
    maxRedemptions: z.int().min(1).optional(),
  })
  .refine((c) => (c.percentOff === undefined) !== (c.amountOff === undefined), {
    path: ['percentOff'],
    message: 'give exactly one of percentOff and amountOff',
  })
  .refine((c) => !c.startsAt || !c.endsAt || Date.parse(c.startsAt) < Date.parse(c.endsAt), {
    path: ['endsAt'],
    message: 'must be after startsAt',
  });
export type CouponCreateRequest = z.infer<typeof CouponCreateRequest>;
export const CouponView = z.object({
  code: z.string(),
  percentOff: z.int().nullable(),
  amountOff: z.int().nullable(),
  startsAt: z.string().nullable(),
  endsAt: z.string().nullable(),
  minSubtotal: z.int(),
  maxRedemptions: z.int().nullable(),
  /** Uses by paid orders. */
  redemptions: z.int(),
  /** Uses held by checkouts still open or awaiting payment; they count against maxRedemptions. */
  reserved: z.int(),
  active: z.boolean(),
});
export const CouponListResponse = z.object({ coupons: z.array(CouponView) });

// GET /api/checkout/session/:id (the return page)
export const OrderStatus = z.enum(['pending_payment', 'paid', 'payment_failed', 'partially_refunded', 'refunded']);
export const SessionId = z.string().regex(/^cs_[A-Za-z0-9_]{1,200}$/, 'a Checkout Session id (cs_...)');
/** How the order was shipped, once the merchant marks it fulfilled. */
export const FulfilmentView = z.object({
  carrier: z.string(),
  trackingNumber: z.string(),
  fulfilledAt: z.string(),
});
export const OrderSummary = z.object({
  number: z.string(),
  status: OrderStatus,
  /** null until the order ships. */
  fulfilment: FulfilmentView.nullable(),
  lines: z.array(
    z.object({ name: z.string(), attributes: z.record(z.string(), z.string()), quantity: z.int(), unitAmount: z.int(), lineAmount: z.int() }),
  ),
  total: z.int(),
  currency: z.string(),
});
export const CheckoutStatusResponse = z.object({
  status: z.enum(['open', 'complete', 'expired']),
  paymentStatus: z.enum(['unpaid', 'paid', 'failed']),
  order: OrderSummary.optional(),
});
export type CheckoutStatusResponse = z.infer<typeof CheckoutStatusResponse>;

// GET /api/admin/orders
/** An order as people write it: `CF-1001`, or its number alone. */
export const OrderNumber = z
  .string()
  .regex(/^(?:[A-Za-z0-9]{1,16}-)?[0-9]{1,12}$/, 'an order number, e.g. CF-1001')
  .transform((number) => Number(number.slice(number.lastIndexOf('-') + 1)));
export const OrderListQuery = z.strictObject({
  status: OrderStatus.optional().meta({ description: 'Only orders in this status' }),
  q: z
    .string()
    .trim()
    .min(1)
    .max(254)
    .optional()
    .meta({ description: 'An order number (CF-1001 or 1001), or the start of an email address (any case)' }),
  before: z.coerce.number().int().min(1).optional().meta({ description: 'The next page: orders numbered below this (nextBefore)' }),
  limit: z.coerce.number().int().min(1).max(200).default(50).meta({ description: 'At most this many (1 to 200)' }),
});
/** A calendar day (UTC). */
const Day = z.iso.date();
export const OrderExportQuery = z
  .strictObject({
    from: Day.meta({ description: 'First day (UTC), YYYY-MM-DD' }),
    to: Day.meta({ description: 'Last day (UTC), YYYY-MM-DD, included' }),
  })
  .refine((r) => r.from <= r.to, { path: ['to'], message: 'must not be before from' })
  .refine((r) => Date.parse(r.to) - Date.parse(r.from) <= 366 * 86_400_000, {
    path: ['to'],
    message: 'at most 366 days after from; export a long period in parts',
  });
export const FulfilRequest = z.strictObject({
  carrier: z.string().trim().min(1).max(64),
  trackingNumber: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9 -]*$/, 'letters, digits, spaces and dashes only'),
});
const OrderLineView = z.object({
  sku: z.string(),
  name: z.string(),
  attributes: z.record(z.string(), z.string()),
  quantity: z.int(),
  unitAmount: z.int(),
  lineAmount: z.int(),
  /** Units this line took out of stock (0 for backorder and oversold lines): what a refund may restock. */
  committed: z.int(),
});
export const AdminOrderView = z.object({
  id: z.string(),
  number: z.string(),
  status: OrderStatus,
  /** Why an operator must look: the amount taken differs from ours, or the stock was gone. */
  attention: z.enum(['amount_mismatch', 'oversold']).nullable(),
  /** null, or a chargeback: disputed (open), won or lost. */
  dispute: z.enum(['disputed', 'won', 'lost']).nullable(),
  email: z.string().nullable(),
  shippingAddress: z.record(z.string(), z.unknown()).nullable(),
  couponCode: z.string().nullable(),
  currency: z.string(),
  amounts: CheckoutAmounts.extend({ refunded: z.int() }),
  sessionId: z.string(),
  paymentIntentId: z.string().nullable(),
  createdAt: z.string(),
  /** null until the order ships. */
  fulfilment: FulfilmentView.nullable(),
  lines: z.array(OrderLineView),
  history: z.array(z.object({ at: z.string(), status: z.string(), note: z.string() })),
});
export type AdminOrderView = z.infer<typeof AdminOrderView>;
export const OrderListResponse = z.object({
  orders: z.array(AdminOrderView),
  /** Pass as `before` for the next page; null: this was the last. */
  nextBefore: z.int().nullable(),
});

// GET /api/admin/metrics
const Count = z.int().min(0);
export const MetricsResponse = z.object({
  holds: z.object({ created: Count, committed: Count, released: Count, expired: Count }),
  checkouts: z.object({
    opened: Count,
    rejected: Count,
    failed: Count,
    completed: Count,
    expired: Count,
    superseded: Count,
  }),
  /** Valid events that were not ours to apply, refunds or disputes kept until their order is recorded, and
   *  deliveries answered 5xx. */
  webhooks: z.object({ ignored: Count, deferred: Count, failed: Count }),
  refunds: z.object({ failed: Count }),
  disputes: z.object({ opened: Count, won: Count, lost: Count }),
  validation: z.object({
    count: Count,
    meanMs: z.number().nullable(),
    /** Cumulative: how many validations took at most `le<ms>` ms (and `inf`: all of them). */
    buckets: z.record(z.string(), Count),
  }),
});

// GET /api/admin/metrics/series: hourly points for the console's charts, oldest first, zero-filled.
export const MetricsWindow = z.enum(['24h', '7d']);
export const MetricsSeriesQuery = z.strictObject({
  window: MetricsWindow.default('24h').meta({ description: 'The last 24 hours or the last 7 days, in hours' }),
});
const Counts = z.array(Count);
/** A rate (0..1) per hour; null where nothing was measured. */
const Rates = z.array(z.number().min(0).max(1).nullable());
export const MetricsSeriesResponse = z.object({
  window: MetricsWindow,
  /** The start of each hour (epoch ms, UTC); the last is the current hour. Every array below has one entry per hour. */
  hours: z.array(z.int()),
  holds: z.object({ created: Counts, committed: Counts, released: Counts, expired: Counts }),
  checkouts: z.object({
    opened: Counts,
    completed: Counts,
    rejected: Counts,
    failed: Counts,
    expired: Counts,
    superseded: Counts,
  }),
  /** Stripe deliveries answered 5xx. */
  webhooks: z.object({ failed: Counts }),
  /** Validation latency from the hour's cumulative histogram (interpolated in the bucket); null: no validation. */
  validation: z.object({ count: Counts, p50Ms: z.array(z.number().nullable()), p95Ms: z.array(z.number().nullable()) }),
  /** Expired / holds that ended (committed, released, expired); failed / (opened + failed). */
  rates: z.object({ holdExpiration: Rates, checkoutFailure: Rates }),
  thresholds: z.object({ holdExpiration: z.number(), checkoutFailure: z.number() }),
});

// GET /api/admin/alerts: what the cron found wrong and has not cleared.
export const AlertKind = z.enum(['hold_expiration_rate', 'checkout_failure_rate', 'webhook_failures']);
export const AlertView = z.object({
  kind: AlertKind,
  activeSince: z.iso.datetime(),
  /** The last measured value: a rate (0..1) or, for webhook failures, a count in the last hour. */
  value: z.number(),
  threshold: z.number(),
  /** When the shop's alert webhook accepted this episode's POST; null: no webhook, or not delivered (yet: a failed POST is retried). */
  notifiedAt: z.iso.datetime().nullable(),
  message: z.string(),
});
export type AlertView = z.infer<typeof AlertView>;
export const AlertsResponse = z.object({ alerts: z.array(AlertView) });
/** No parameters: anything given is refused, naming it. */
export const AlertsQuery = z.strictObject({});

// POST /api/stripe-webhook
export const WebhookResponse = z.object({
  received: z.literal(true),
  outcome: z.enum(['applied', 'duplicate', 'ignored', 'deferred']),
});

// GET /api/health
export const HealthResponse = z.object({
  ok: z.boolean(),
  hops: z.array(z.object({ hop: z.string(), ok: z.boolean(), ms: z.number() })),
});

// Every error answer (RFC 9457).
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  code: z.string(),
  requestId: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
