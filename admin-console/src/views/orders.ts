// Orders: search by number or email, filter by status, page back in time, and export a date range as CSV.
import { api, type Order } from '../api';
import { field, h, money, table, values, when } from '../dom';
import { alertText, explain, type View } from '../view';

const STATUSES = ['paid', 'pending_payment', 'payment_failed', 'partially_refunded', 'refunded'];
export const statusLabel = (status: string) => status.replaceAll('_', ' ');

function orderRow(order: Order): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-order': order.number },
    h('td', {}, h('a', { href: `#/orders/${encodeURIComponent(order.number)}` }, order.number)),
    h('td', {}, when(order.createdAt)),
    h('td', {}, order.email ?? '—'),
    h('td', {}, statusLabel(order.status), order.dispute ? h('span', { class: 'badge warn' }, ` ${order.dispute}`) : null),
    h('td', {}, order.fulfilment ? h('span', { class: 'badge ok' }, 'Shipped') : h('span', { class: 'badge' }, 'Not shipped')),
    h('td', { class: 'num' }, money(order.amounts.total, order.currency)),
  );
}

function searchForm(query: URLSearchParams): HTMLFormElement {
  const q = h('input', { name: 'q', type: 'search', value: query.get('q') ?? '', placeholder: 'CF-1001 or ada@' });
  const status = h('select', { name: 'status' }, h('option', { value: '' }, 'Any status'));
  for (const s of STATUSES) status.append(h('option', { value: s, selected: query.get('status') === s }, statusLabel(s)));
  const form = h('form', { class: 'inline', role: 'search' }, field('Order number or email', q), field('Status', status), h('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const { q: text = '', status: chosen = '' } = values(form);
    const next = new URLSearchParams();
    if (text) next.set('q', text);
    if (chosen) next.set('status', chosen);
    location.hash = `#/orders${next.size ? `?${next}` : ''}`;
  });
  return form;
}

function exportForm(): HTMLElement {
  const today = new Date().toISOString().slice(0, 10);
  const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  const from = h('input', { name: 'from', type: 'date', value: monthAgo, required: true });
  const to = h('input', { name: 'to', type: 'date', value: today, required: true });
  const form = h('form', { class: 'inline' }, field('From', from), field('To (included)', to), h('button', { type: 'submit', class: 'secondary' }, 'Download CSV'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const { from: start = '', to: end = '' } = values(form);
    try {
      const blob = await api.exportCsv(start, end);
      const link = h('a', { href: URL.createObjectURL(blob), download: `orders-${start}-to-${end}.csv` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (error) {
      alertText(explain(error));
    }
  });
  return h('section', { 'aria-labelledby': 'export-heading' }, h('h2', { id: 'export-heading' }, 'Export orders (CSV)'), form);
}

export const ordersView: View = {
  section: 'orders',
  title: () => 'Orders',
  async render(_params, query) {
    const page = await api.orders({ q: query.get('q') ?? undefined, status: query.get('status') ?? undefined, before: query.get('before') ?? undefined });
    const pager = h('div', { class: 'pager' });
    if (query.has('before')) {
      const newest = new URLSearchParams(query);
      newest.delete('before');
      pager.append(h('a', { href: `#/orders${newest.size ? `?${newest}` : ''}` }, '← Newest orders'));
    }
    if (page.nextBefore !== null) {
      const older = new URLSearchParams(query);
      older.set('before', String(page.nextBefore));
      pager.append(h('a', { href: `#/orders?${older}` }, 'Older orders →'));
    }
    const list =
      page.orders.length === 0
        ? h('p', { class: 'muted' }, 'No orders match.')
        : table('Orders', ['Order', 'Placed', 'Email', 'Payment', 'Shipping', ['Total', 'num']], page.orders.map(orderRow));
    return h('div', {}, h('h1', { tabindex: -1 }, 'Orders'), searchForm(query), list, pager, exportForm());
  },
};
