// Faults inside the real InventoryDO: one method of one variant's object throws, as a crashing or overloaded
// object would. The class is the one the worker runs (the pool shares the module), so the fault is real.
import { env } from 'cloudflare:workers';
import { InventoryDO, inventoryObjectName } from '../../durable-objects/inventory-do';

type Failable = 'reserve' | 'commit' | 'release';
const originals = new Map<Failable, InventoryDO[Failable]>();

export function breakStockObject(key: string, method: Failable, shop = 'cochlearfit') {
  const brokenId = env.INVENTORY.idFromName(inventoryObjectName(shop, key)).toString();
  const original = keepOriginal(method);
  (InventoryDO.prototype as unknown as Record<string, unknown>)[method] = function (this: InventoryDO, ...args: unknown[]) {
    const id = (this as unknown as { ctx: DurableObjectState }).ctx.id.toString();
    if (id === brokenId) return Promise.reject(new Error(`injected: ${method} failed`));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
}

/**
 * One method of one variant's object answers only after `ms`, as an object behind a queue would. Returns a
 * promise that resolves when the first such call has arrived (and is waiting).
 */
export function slowStockObject(key: string, method: Failable, ms: number, shop = 'cochlearfit'): Promise<void> {
  const slowId = env.INVENTORY.idFromName(inventoryObjectName(shop, key)).toString();
  const original = keepOriginal(method);
  let arrived: () => void;
  const first = new Promise<void>((resolve) => (arrived = resolve));
  (InventoryDO.prototype as unknown as Record<string, unknown>)[method] = async function (this: InventoryDO, ...args: unknown[]) {
    const id = (this as unknown as { ctx: DurableObjectState }).ctx.id.toString();
    if (id === slowId) {
      arrived();
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  return first;
}

/** The method as the class defines it, kept once for the repair (faults may be stacked on one method). */
function keepOriginal(method: Failable): InventoryDO[Failable] {
  if (!originals.has(method)) originals.set(method, InventoryDO.prototype[method]);
  return InventoryDO.prototype[method];
}

export function repairStockObjects() {
  for (const [method, original] of originals) (InventoryDO.prototype as unknown as Record<string, unknown>)[method] = original;
  originals.clear();
}

/** A variant's stock object, called directly (as the authority does). */
export const stockObjectOf = (key: string, shop = 'cochlearfit') => env.INVENTORY.get(env.INVENTORY.idFromName(inventoryObjectName(shop, key)));
