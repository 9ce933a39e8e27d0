// Coupons: each with its discount, uses (paid, reserved by open checkouts) against its limit; create and disable.
import { api, shopCurrency, type Coupon } from '../api';
import { field, h, minorDigits, money, table, values, when } from '../dom';
import { act, type View } from '../view';

function couponRow(coupon: Coupon, currency: string): HTMLTableRowElement {
  const disable = h('button', { type: 'button', class: 'secondary', 'aria-label': `Disable ${coupon.code}` }, 'Disable');
  disable.addEventListener('click', () => act(() => api.disableCoupon(coupon.code)));
  const window = [coupon.startsAt && `from ${when(coupon.startsAt)}`, coupon.endsAt && `until ${when(coupon.endsAt)}`].filter(Boolean).join(' ');
  return h(
    'tr',
    { 'data-coupon': coupon.code },
    h('td', {}, coupon.code),
    h('td', {}, coupon.percentOff !== null ? `${coupon.percentOff}% off` : `${money(coupon.amountOff ?? 0, currency)} off`),
    h('td', { class: 'num' }, coupon.minSubtotal > 0 ? money(coupon.minSubtotal, currency) : '—'),
    h('td', {}, window || 'always'),
    h('td', { class: 'num' }, coupon.redemptions),
    h('td', { class: 'num' }, coupon.reserved),
    h('td', { class: 'num' }, coupon.maxRedemptions ?? 'no limit'),
    h('td', {}, coupon.active ? h('span', { class: 'badge ok' }, 'active') : h('span', { class: 'badge' }, 'disabled')),
    h('td', {}, coupon.active ? disable : null),
  );
}

function createForm(currency: string): HTMLElement {
  const toMinor = (text: string) => Math.round(Number(text) * 10 ** minorDigits(currency));
  const kind = h('select', { name: 'kind' }, h('option', { value: 'percent' }, 'Percent off'), h('option', { value: 'amount' }, `Amount off (${currency.toUpperCase()})`));
  const form = h(
    'form',
    { class: 'inline' },
    field('Code', h('input', { name: 'code', required: true, maxlength: 64, autocomplete: 'off' })),
    field('Discount', kind),
    field('Value', h('input', { name: 'value', type: 'number', min: 0, step: 'any', required: true })),
    field(`Minimum order (${currency.toUpperCase()})`, h('input', { name: 'minSubtotal', type: 'number', min: 0, step: 'any' })),
    field('Use limit (empty: none)', h('input', { name: 'maxRedemptions', type: 'number', min: 1, step: 1 })),
    field('Ends (optional)', h('input', { name: 'endsAt', type: 'datetime-local' })),
    h('button', { type: 'submit' }, 'Create coupon'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = values(form);
    const body: Record<string, unknown> = { code: v.code };
    if (v.kind === 'percent') body.percentOff = Number(v.value);
    else body.amountOff = toMinor(v.value ?? '');
    if (v.minSubtotal) body.minSubtotal = toMinor(v.minSubtotal);
    if (v.maxRedemptions) body.maxRedemptions = Number(v.maxRedemptions);
    if (v.endsAt) body.endsAt = new Date(v.endsAt).toISOString();
    await act(() => api.createCoupon(body));
  });
  return h('section', { 'aria-labelledby': 'new-coupon' }, h('h2', { id: 'new-coupon' }, 'New coupon'), form);
}

export const couponsView: View = {
  section: 'coupons',
  title: () => 'Coupons',
  async render() {
    const [{ coupons }, currency] = await Promise.all([api.coupons(), shopCurrency()]);
    const head: (string | [string, 'num'])[] = ['Code', 'Discount', ['Minimum', 'num'], 'When', ['Used', 'num'], ['Reserved', 'num'], ['Limit', 'num'], 'Status', 'Action'];
    return h(
      'div',
      {},
      h('h1', { tabindex: -1 }, 'Coupons'),
      h('p', { class: 'muted' }, 'Used: paid orders. Reserved: checkouts still open or awaiting payment; both count against the limit.'),
      coupons.length === 0 ? h('p', { class: 'muted' }, 'No coupons yet.') : table('Coupons', head, coupons.map((c) => couponRow(c, currency))),
      createForm(currency),
    );
  },
};
