// The console's routes: a hash path (static hosting, no server routes) -> a view. Parameters are the pattern's groups.
import type { View } from './view';
import { couponsView } from './views/coupons';
import { healthView } from './views/health';
import { orderView } from './views/order';
import { ordersView } from './views/orders';
import { stockView } from './views/stock';
import { variantView } from './views/variant';

export const ROUTES: [RegExp, View][] = [
  [/^\/orders$/, ordersView],
  [/^\/orders\/([^/]+)$/, orderView],
  [/^\/stock$/, stockView],
  [/^\/stock\/([^/]+)$/, variantView],
  [/^\/coupons$/, couponsView],
  [/^\/health$/, healthView],
];

export const HOME = '#/orders';
