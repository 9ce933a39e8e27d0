// commerce-authority: the only writer of D1 and the InventoryDOs. Reached only through the checkout-gateway
// (no routes, workers_dev off). Hosts the InventoryDO class and the cron reaper.
import { WorkerEntrypoint } from 'cloudflare:workers';
import { app } from './app';
import type { AuthorityEnv } from './env';
import { reapExpiredReservations } from './inventory/reaper';

export { InventoryDO } from '../../../durable-objects/inventory-do';

export default class CommerceAuthority extends WorkerEntrypoint<AuthorityEnv> {
  override async fetch(request: Request): Promise<Response> {
    return app.fetch(request, this.env, this.ctx);
  }

  override async scheduled(controller: ScheduledController): Promise<void> {
    await reapExpiredReservations(this.env, controller.scheduledTime);
  }
}
