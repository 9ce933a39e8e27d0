// One order: lines, amounts, customer and address, payment / refund / dispute state, history, and shipping it.
import { api, type Order } from '../api';
import { field, h, money, table, values, when } from '../dom';
import { act, type View } from '../view';
import { statusLabel } from './orders';

const SHIPPABLE = new Set(['paid', 'partially_refunded']);

function facts(pairs: [string, string | Node][]): HTMLDListElement {
  return h('dl', { class: 'facts' }, ...pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function address(order: Order): string {
  const shipping = order.shippingAddress as { name?: string; address?: Record<string, string | null> } | null;
  if (!shipping) return '—';
  const parts = ['line1', 'line2', 'city', 'state', 'postal_code', 'country'].map((k) => shipping.address?.[k]).filter(Boolean);
  return [shipping.name, ...parts].filter(Boolean).join(', ');
}

function shipping(order: Order): HTMLElement {
  const section = h('section', { 'aria-labelledby': 'ship-heading' }, h('h2', { id: 'ship-heading' }, 'Shipping'));
  if (order.fulfilment) {
    const f = order.fulfilment;
    section.append(h('p', { class: 'notice', 'data-fulfilment': true }, `Shipped with ${f.carrier}, tracking number ${f.trackingNumber}, on ${when(f.fulfilledAt)}.`));
    return section;
  }
  if (!SHIPPABLE.has(order.status)) {
    section.append(h('p', { class: 'muted' }, `Not shipped. An order ships once it is paid; this one is ${statusLabel(order.status)}.`));
    return section;
  }
  const form = h(
    'form',
    { class: 'stack' },
    field('Carrier', h('input', { name: 'carrier', required: true, maxlength: 64, autocomplete: 'off' })),
    field('Tracking number', h('input', { name: 'trackingNumber', required: true, maxlength: 64, autocomplete: 'off' })),
    h('button', { type: 'submit' }, 'Mark shipped'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const { carrier = '', trackingNumber = '' } = values(form);
    await act(() => api.fulfil(order.number, { carrier, trackingNumber }));
  });
  section.append(form);
  return section;
}

export const orderView: View = {
  section: 'orders',
  title: ([number]) => `Order ${number}`,
  async render([number]) {
    const order = await api.order(number!);
    const m = (amount: number) => money(amount, order.currency);
    const lines = order.lines.map((line) =>
      h(
        'tr',
        {},
        h('td', {}, line.name, h('br'), h('span', { class: 'muted' }, Object.values(line.attributes).join(', '))),
        h('td', {}, line.sku),
        h('td', { class: 'num' }, line.quantity),
        h('td', { class: 'num' }, m(line.unitAmount)),
        h('td', { class: 'num' }, m(line.lineAmount)),
      ),
    );
    const state: [string, string | Node][] = [
      ['Payment', statusLabel(order.status)],
      ['Refunded', m(order.amounts.refunded)],
      ['Dispute', order.dispute ?? 'none'],
      ['Needs attention', order.attention ? order.attention.replaceAll('_', ' ') : 'no'],
      ['Checkout session', order.sessionId],
      ['Payment intent', order.paymentIntentId ?? '—'],
    ];
    return h(
      'div',
      {},
      h('p', {}, h('a', { href: '#/orders' }, '← All orders')),
      h('h1', { tabindex: -1 }, `Order ${order.number}`),
      h(
        'div',
        { class: 'grid2' },
        h('section', {}, h('h2', {}, 'Customer'), facts([['Email', order.email ?? '—'], ['Ship to', address(order)], ['Placed', when(order.createdAt)]])),
        h('section', {}, h('h2', {}, 'Payment'), facts(state)),
      ),
      h('h2', {}, 'Items'),
      table('Items', ['Item', 'SKU', ['Qty', 'num'], ['Unit', 'num'], ['Amount', 'num']], lines),
      facts([
        ['Subtotal', m(order.amounts.subtotal)],
        ['Discount', `${m(order.amounts.discount)}${order.couponCode ? ` (${order.couponCode})` : ''}`],
        ['Shipping', m(order.amounts.shipping)],
        ['Tax', m(order.amounts.tax)],
        ['Total', m(order.amounts.total)],
      ]),
      shipping(order),
      h('h2', {}, 'History'),
      h('ol', { class: 'history' }, ...order.history.map((e) => h('li', {}, `${when(e.at)}: ${statusLabel(e.status)}. ${e.note}`))),
    );
  },
};
