// One variant's stock: set the counted figure or adjust by a delta, each with a reason; its low-stock threshold;
// and its recent changes as its stock object recorded them (refused ones too).
import { api, ApiError } from '../api';
import { field, h, table, values, when } from '../dom';
import { act, type View } from '../view';
import { variantName } from './stock';

/** A form whose submit calls `change` with its values, then re-renders the page with a notice. */
function changeForm(legend: string, inputs: HTMLLabelElement[], button: string, change: (v: Record<string, string>) => Promise<unknown>) {
  const form = h('form', { class: 'stack' }, h('fieldset', {}, h('legend', {}, legend), ...inputs, h('button', { type: 'submit' }, button)));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(() => change(values(form)));
  });
  return form;
}

const int = (text: string | undefined) => (text === undefined || text === '' ? NaN : Number(text));

export const variantView: View = {
  section: 'stock',
  title: ([sku]) => `Stock of ${sku}`,
  async render([sku]) {
    const [{ items }, { changes }] = await Promise.all([api.stock(), api.stockChanges(sku!)]);
    const item = items.find((i) => i.sku === sku);
    if (!item) throw new ApiError(404, null);
    const number = (name: string, attrs: Record<string, string | number | boolean> = {}) =>
      h('input', { name, type: 'number', inputmode: 'numeric', step: 1, required: true, ...attrs });
    const reason = (required: boolean) => h('input', { name: 'reason', maxlength: 200, required, autocomplete: 'off' });
    const changeRows = changes.map((c) =>
      h(
        'tr',
        {},
        h('td', {}, when(c.at)),
        h('td', {}, c.kind === 'set' ? `set to ${c.requested}` : `${c.requested > 0 ? '+' : ''}${c.requested}`),
        h('td', {}, c.reason),
        h('td', { class: 'num' }, c.onHandAfter),
        h('td', {}, c.accepted ? 'applied' : h('span', { class: 'badge warn' }, 'refused: below held')),
      ),
    );
    return h(
      'div',
      {},
      h('p', {}, h('a', { href: '#/stock' }, '← All stock')),
      h('h1', { tabindex: -1 }, `Stock of ${item.sku}`),
      h('p', {}, variantName(item)),
      h('p', { 'data-counts': true, class: item.lowStock ? 'alert' : 'notice' },
        `On hand ${item.onHand}, held ${item.held}, available ${item.available}.${item.lowStock ? ' Low stock.' : ''}`),
      h(
        'div',
        { class: 'grid2' },
        changeForm('Set the counted stock', [field('On hand', number('onHand', { min: 0 })), field('Reason (optional)', reason(false))], 'Set stock', (v) =>
          api.setStock(item.sku, { onHand: int(v.onHand), ...(v.reason ? { reason: v.reason } : {}) }),
        ),
        changeForm('Add or remove units', [field('Change (+ or −)', number('delta')), field('Reason', reason(true))], 'Adjust stock', (v) =>
          api.adjustStock(item.sku, { delta: int(v.delta), reason: v.reason ?? '' }),
        ),
        changeForm(
          'Low-stock threshold',
          [field('Highlight at or below (empty: never)', h('input', { name: 'threshold', type: 'number', min: 0, step: 1, value: item.lowStockThreshold ?? '' }))],
          'Save threshold',
          (v) => api.setLowStock(item.sku, v.threshold ? int(v.threshold) : null),
        ),
      ),
      h('h2', {}, 'Recent changes'),
      changeRows.length === 0
        ? h('p', { class: 'muted' }, 'No changes in the last 30 days.')
        : table('Recent stock changes', ['When', 'Change', 'Reason', ['On hand after', 'num'], 'Result'], changeRows),
    );
  },
};
