// The CSV export's own rules, without a worker: RFC 4180 quoting read back by a real parser, amounts in each
// currency's minor-unit exponent, and cells a spreadsheet would run as formulas kept as text.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { AdminOrderView } from '../../shared/contracts';
import { decimalAmount, ordersCsv } from '../../workers/commerce-authority/src/domain/orders-csv';

const order = (patch: Partial<AdminOrderView>): AdminOrderView => ({
  id: 'ord_1',
  number: 'CF-1001',
  status: 'paid',
  attention: null,
  dispute: null,
  email: 'ada@example.com',
  shippingAddress: { name: 'Ada', address: { line1: '1 Road', city: 'London', country: 'GB' } },
  couponCode: null,
  currency: 'gbp',
  amounts: { subtotal: 1850, discount: 0, shipping: 0, tax: 0, total: 1850, refunded: 0 },
  sessionId: 'cs_1',
  paymentIntentId: null,
  createdAt: '2026-11-28T04:00:00.000Z',
  fulfilment: null,
  lines: [{ sku: 'A-1', name: 'Band', attributes: { size: 'M' }, quantity: 1, unitAmount: 1850, lineAmount: 1850, committed: 1 }],
  history: [],
  ...patch,
});

describe('orders CSV', () => {
  it('amounts follow the currency: pence, yen, dinar fils', () => {
    expect(decimalAmount(1850, 'gbp')).toBe('18.50');
    expect(decimalAmount(5, 'gbp')).toBe('0.05');
    expect(decimalAmount(1850, 'jpy')).toBe('1850');
    expect(decimalAmount(1850, 'kwd')).toBe('1.850');
    expect(decimalAmount(-250, 'eur')).toBe('-2.50');
  });

  it('quotes, commas, line breaks and formula-looking text survive a real RFC 4180 parser', () => {
    const csv = ordersCsv([
      order({ shippingAddress: { name: 'Ada "A, L"\r\nLovelace', address: {} } }),
      order({ number: 'CF-1002', email: '=cmd|calc', lines: [] }),
    ]);
    const rows: Record<string, string>[] = parse(csv, { columns: true, strict: true } as never);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ name: 'Ada "A, L"\r\nLovelace', address: '', items: '1 x Band (M) [A-1]', total: '18.50' });
    expect(rows[1]).toMatchObject({ order: 'CF-1002', email: "'=cmd|calc", items: '' });
  });
});
