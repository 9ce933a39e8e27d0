// How an order's shipment reads in every answer that shows it: the admin API, the CSV and the shopper's return page.
import type { z } from 'zod';
import type { FulfilmentView } from '../../../../shared/contracts';
import type { Fulfilment } from '../db/schema';

export function fulfilmentView(fulfilment: Fulfilment | null): z.infer<typeof FulfilmentView> | null {
  if (!fulfilment) return null;
  const { carrier, trackingNumber, fulfilledAt } = fulfilment;
  return { carrier, trackingNumber, fulfilledAt: new Date(fulfilledAt).toISOString() };
}
