// Applied Stripe events, by (shop, event id).
import { and, eq } from 'drizzle-orm';
import type { Database } from './client';
import { prepared } from './statements';
import { stripeEvents } from './schema';

export async function eventApplied(db: Database, shopId: string, eventId: string): Promise<boolean> {
  const row = await db
    .select({ id: stripeEvents.id })
    .from(stripeEvents)
    .where(and(eq(stripeEvents.shopId, shopId), eq(stripeEvents.id, eventId)))
    .get();
  return row !== undefined;
}

/** Plain INSERT on purpose: a second delivery racing the first fails here and rolls its whole batch back. */
export function recordEvent(db: Database, shopId: string, event: { id: string; type: string; objectId: string | null }, now: number) {
  return prepared(db, db.insert(stripeEvents).values({ shopId, id: event.id, type: event.type, objectId: event.objectId, processedAt: now }));
}
