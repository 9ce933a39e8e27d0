// Refund and dispute events that arrived before their order was paid (the completed event still failing and
// being retried, or delivered later). They are answered 2xx and kept here, never lost, and applied as soon as
// the order of their payment intent is paid: by the event that paid it, or by the cron as a second line.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Database } from './client';
import { deferredStripeEvents, orders } from './schema';

export const PAID_STATUSES = ['paid', 'partially_refunded', 'refunded'] as const;

export async function deferEvent(db: Database, shopId: string, event: Stripe.Event, paymentIntentId: string, payload: string) {
  await db
    .insert(deferredStripeEvents)
    .values({ shopId, id: event.id, type: event.type, paymentIntentId, payload, receivedAt: Date.now() })
    .onConflictDoNothing();
}

/** The deferred events of one payment, oldest first. */
export async function deferredEventsOf(db: Database, shopId: string, paymentIntentId: string) {
  return db
    .select()
    .from(deferredStripeEvents)
    .where(and(eq(deferredStripeEvents.shopId, shopId), eq(deferredStripeEvents.paymentIntentId, paymentIntentId)))
    .orderBy(asc(deferredStripeEvents.receivedAt));
}

/** Deferred events whose order has since been paid (the cron applies them), a bounded batch. */
export async function deferredEventsReady(db: Database, limit: number) {
  return db
    .select({ shopId: deferredStripeEvents.shopId, paymentIntentId: deferredStripeEvents.paymentIntentId })
    .from(deferredStripeEvents)
    .innerJoin(
      orders,
      and(eq(orders.shopId, deferredStripeEvents.shopId), eq(orders.paymentIntentId, deferredStripeEvents.paymentIntentId)),
    )
    .where(inArray(orders.status, [...PAID_STATUSES]))
    .groupBy(deferredStripeEvents.shopId, deferredStripeEvents.paymentIntentId)
    .limit(limit);
}

export async function dropDeferredEvent(db: Database, shopId: string, eventId: string) {
  await db.delete(deferredStripeEvents).where(and(eq(deferredStripeEvents.shopId, shopId), eq(deferredStripeEvents.id, eventId)));
}

