// commerce-authority: the only writer of D1 and the InventoryDOs. Reached only through the checkout-gateway
// (no routes, workers_dev off). Hosts the InventoryDO class and the cron (reaper, expiry, retention, alerts).
import { WorkerEntrypoint } from 'cloudflare:workers';
import { ShopId } from '../../../shared/contracts';
import type { ShopEdgeConfig } from '../../../shared/edge-config';
import { app } from './app';
import { evaluateAlerts } from './alerts/evaluate';
import { expireStaleCheckouts } from './checkout/expire-stale';
import { addCost } from '../../../shared/cost';
import { latencyModelOf } from '../../../shared/latency-model';
import { costAccountingOn, meteredEnv } from './cost-accounting';
import { modeledEnv } from './latency-model';
import { database } from './db/client';
import { flushTallies } from './db/metrics';
import { edgeConfigOf, findActiveShop } from './db/shops';
import type { AuthorityEnv } from './env';
import { purgeIdleCarts } from './db/carts';
import { purgeOldRecords } from './db/retention';
import { purgeLapsedLocks } from './db/webhook-locks';
import { drainReadyDeferred } from './webhooks/payment-events';
import { reapExpiredReservations } from './inventory/reaper';
import { log } from './log';

export { InventoryDO } from '../../../durable-objects/inventory-do';

export default class CommerceAuthority extends WorkerEntrypoint<AuthorityEnv> {
  override async fetch(request: Request): Promise<Response> {
    // The latency model wraps the real bindings; cost accounting wraps the model's.
    const model = latencyModelOf(this.env);
    const wait = { ms: 0 };
    const bindings = model ? modeledEnv(this.env, model, wait) : this.env;
    if (!costAccountingOn(this.env)) return app.fetch(request, bindings, this.ctx);
    const { env, cost } = meteredEnv(bindings);
    const response = await app.fetch(request, env, this.ctx);
    const spent = cost();
    return addCost(response, { ...spent, subrequests: spent.durableObjectCalls, modeledMs: wait.ms });
  }

  /** RPC for the gateway: an active shop's status and limits, or null. */
  async shopEdgeConfig(shopId: string): Promise<ShopEdgeConfig | null> {
    if (!ShopId.safeParse(shopId).success) return null;
    const shop = await findActiveShop(database(this.env.DB), shopId);
    return shop ? edgeConfigOf(shop) : null;
  }

  /** The cron (every minute): each task is idempotent and does a bounded amount of work per run. */
  override async scheduled(controller: ScheduledController): Promise<void> {
    const now = controller.scheduledTime;
    const db = database(this.env.DB);
    const checkoutsExpired = await expireStaleCheckouts(this.env, db, now);
    const reaped = await reapExpiredReservations(this.env, now);
    const purgedCarts = await purgeIdleCarts(db, now);
    const deferredApplied = await drainReadyDeferred(this.env, db);
    const purged = await purgeOldRecords(db, now);
    await purgeLapsedLocks(db, now);
    // The counts of this run (expiries, reaped holds) and of this isolate go in before the alerts read them.
    await flushTallies(db);
    const alerts = await evaluateAlerts(db, now);
    log.info('cron', {
      checkoutsExpired,
      reservationsExpired: reaped.expired,
      releasesRetried: reaped.released,
      purgedCarts,
      deferredApplied,
      purged,
      alerts,
    });
  }
}
