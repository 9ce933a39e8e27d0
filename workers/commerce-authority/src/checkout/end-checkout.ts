// Ending a checkout that will not be paid: its row moves to an ended status, its holds are released and
// its provider session is expired so it can no longer be paid. Idempotent: a second call finds nothing to do.
import { markCheckoutEnded } from '../db/checkouts';
import type { Database } from '../db/client';
import { tally } from '../db/metrics';
import type { CheckoutRow } from '../db/schema';
import type { AuthorityEnv } from '../env';
import { releaseReservation } from '../inventory/reservations';
import { log } from '../log';
import type { PaymentProvider } from '../payments/provider';

export async function endCheckout(
  env: AuthorityEnv,
  db: Database,
  provider: PaymentProvider | null,
  checkout: CheckoutRow,
  from: CheckoutRow['status'][],
  to: 'failed' | 'expired' | 'superseded',
): Promise<boolean> {
  const ended = await markCheckoutEnded(db, checkout.id, from, to, Date.now());
  if (!ended) return false;
  tally(checkout.shopId, { [`checkouts_${to}`]: 1 });
  await releaseReservation(env, db, checkout.shopId, checkout.reservationId);
  if (provider && checkout.sessionId) {
    try {
      await provider.expireSession(checkout.sessionId);
    } catch (error) {
      // The holds are already released; a session paid after this is caught by the webhook as a late payment.
      log.error('session_expire_failed', { shopId: checkout.shopId, checkoutId: checkout.id, error: String(error) });
    }
  }
  return true;
}
