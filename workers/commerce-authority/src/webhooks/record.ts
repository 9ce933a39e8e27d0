// The two ways a verified event ends: recorded together with its effects in one D1 batch (so an event is done
// exactly when its effects are, and a redelivery finds it and does nothing), or ignored: answered 2xx so Stripe
// stops retrying, logged and counted, never applied.
import type Stripe from 'stripe';
import type { Database } from '../db/client';
import { tally } from '../db/metrics';
import type { Shop } from '../db/shops';
import { runAtomically, type Statement } from '../db/statements';
import { eventApplied, recordEvent } from '../db/stripe-events';
import type { AuthorityEnv } from '../env';
import { log } from '../log';

export type Applied = 'applied' | 'duplicate' | 'ignored' | 'deferred';

export interface EventContext {
  env: AuthorityEnv;
  db: Database;
  shop: Shop;
  event: Stripe.Event;
  requestId: string;
  /** The body exactly as Stripe sent it: what a deferred event keeps. */
  payload: string;
}

export async function recordWith(ctx: EventContext, effects: Statement[]): Promise<Applied> {
  const { db, shop, event } = ctx;
  const object = event.data.object as { id?: string };
  const record = recordEvent(db, shop.id, { id: event.id, type: event.type, objectId: object.id ?? null }, Date.now());
  try {
    await runAtomically(db, [record, ...effects]);
  } catch (error) {
    // A concurrent delivery of the same event recorded it first; its effects stand, ours rolled back.
    if (String(error).includes('UNIQUE constraint failed: stripe_events')) return 'duplicate';
    throw error;
  }
  return 'applied';
}

/** Why a validly signed event is not ours to apply. */
export type IgnoreReason =
  | 'unhandled_type'
  | 'no_shop_metadata'
  | 'other_shop'
  | 'unknown_session'
  | 'unknown_charge'
  | 'no_payment_intent'
  | 'refund_not_failed'
  | 'order_not_paid';

export async function ignore(ctx: Pick<EventContext, 'db' | 'shop' | 'event' | 'requestId'>, reason: IgnoreReason): Promise<Applied> {
  const { shop, event } = ctx;
  log.warn('webhook_ignored', { requestId: ctx.requestId, shopId: shop.id, eventId: event.id, type: event.type, reason });
  tally(shop.id, { webhooks_ignored: 1 });
  return 'ignored';
}

/** For a delivery waiting on the lock: 'duplicate' once a concurrent delivery of the same event applied it. */
export const whenApplied = (ctx: EventContext) => async (): Promise<Applied | null> =>
  (await eventApplied(ctx.db, ctx.shop.id, ctx.event.id)) ? 'duplicate' : null;

export const noteFor = (event: Stripe.Event) => `${event.type} (${event.id})`;
