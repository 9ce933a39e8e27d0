// Applying a verified Stripe event of one shop: the session events (session-events.ts) and the payment
// events that follow an order (payment-events.ts). A redelivery of an applied event changes nothing.
import type Stripe from 'stripe';
import { eventApplied } from '../db/stripe-events';
import { applyPaymentEvent, PAYMENT_EVENTS } from './payment-events';
import { ignore, type Applied, type EventContext, type IgnoreReason } from './record';
import { applySessionEvent, SESSION_EVENTS } from './session-events';

export type { Applied } from './record';

export const HANDLED_EVENTS = new Set([...SESSION_EVENTS, ...PAYMENT_EVENTS]);

/**
 * Why an event is not this shop's to apply, before any lookup. Sessions we create carry metadata.shop_id.
 * Refunds and disputes carry no metadata of ours, and a charge may not (whether Stripe copies the payment
 * intent's metadata onto it is not ours to rely on): those are matched by payment intent to our orders.
 */
export function foreignReason(event: Stripe.Event, shopId: string): IgnoreReason | null {
  if (!HANDLED_EVENTS.has(event.type)) return 'unhandled_type';
  const object = event.data.object as { object?: string; metadata?: Record<string, string> | null };
  const named = object.metadata?.shop_id || undefined;
  if (named !== undefined) return named === shopId ? null : 'other_shop';
  return object.object === 'checkout.session' ? 'no_shop_metadata' : null;
}

export async function applyEvent(ctx: EventContext): Promise<Applied> {
  const reason = foreignReason(ctx.event, ctx.shop.id);
  if (reason) return ignore(ctx, reason);
  if (await eventApplied(ctx.db, ctx.shop.id, ctx.event.id)) return 'duplicate';
  return SESSION_EVENTS.has(ctx.event.type) ? applySessionEvent(ctx) : applyPaymentEvent(ctx);
}
