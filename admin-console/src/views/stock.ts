// Stock: every variant with on hand / held / available; a row at or below its low-stock threshold is marked (in
// words, not only colour). A variant's page sets, adjusts and shows its recent changes.
import { api, type StockItem } from '../api';
import { h, table } from '../dom';
import type { View } from '../view';

export const variantName = (item: Pick<StockItem, 'productName' | 'attributes'>) =>
  [item.productName, ...Object.values(item.attributes)].join(' · ');

function stockRow(item: StockItem): HTMLTableRowElement {
  return h(
    'tr',
    { class: item.lowStock ? 'low' : undefined, 'data-sku': item.sku },
    h('td', {}, h('a', { href: `#/stock/${encodeURIComponent(item.sku)}` }, item.sku)),
    h('td', {}, variantName(item), item.sellable ? null : h('span', { class: 'badge' }, ' not on sale')),
    h('td', { class: 'num' }, item.onHand),
    h('td', { class: 'num' }, item.held),
    h('td', { class: 'num' }, item.available),
    h('td', { class: 'num' }, item.lowStockThreshold ?? '—'),
    h('td', {}, item.backorder ? 'backorder' : item.lowStock ? h('span', { class: 'badge warn' }, 'Low stock') : 'ok'),
  );
}

export const stockView: View = {
  section: 'stock',
  title: () => 'Stock',
  async render() {
    const { items } = await api.stock();
    const low = items.filter((i) => i.lowStock).length;
    return h(
      'div',
      {},
      h('h1', { tabindex: -1 }, 'Stock'),
      h('p', { class: 'muted' }, `${items.length} variants; ${low} at or below their low-stock threshold. Choose a SKU to change its stock.`),
      table('Stock per variant', ['SKU', 'Variant', ['On hand', 'num'], ['Held', 'num'], ['Available', 'num'], ['Low at', 'num'], 'State'], items.map(stockRow)),
    );
  },
};
