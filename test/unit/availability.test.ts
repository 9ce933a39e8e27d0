import { describe, expect, it } from 'vitest';
import { judgeLines, resolveLine, type KnownVariant } from '../../workers/commerce-authority/src/domain/availability';
import { mergeDemand } from '../../workers/commerce-authority/src/domain/lines';

const navy: KnownVariant = { sku: 'HB-NAVY-M', variantKey: 'hb|colour=navy;size=m', sellable: true, backorder: false };
const madeToOrder: KnownVariant = { sku: 'HB-CUSTOM', variantKey: 'hb|colour=custom', sellable: true, backorder: true };
const bySku = new Map([navy, madeToOrder].map((v) => [v.sku, v]));
const byKey = new Map([navy, madeToOrder].map((v) => [v.variantKey, v]));

describe('resolveLine', () => {
  it('finds a variant by its own sku or by product sku + attributes', () => {
    expect(resolveLine({ sku: 'HB-NAVY-M' }, bySku, byKey)).toBe(navy);
    expect(resolveLine({ sku: 'HB', variantAttributes: { Size: 'M', colour: 'NAVY' } }, bySku, byKey)).toBe(navy);
    expect(resolveLine({ sku: 'HB', variantAttributes: { size: 'XL' } }, bySku, byKey)).toBeUndefined();
  });
});

describe('judgeLines', () => {
  const stock = new Map([[navy.variantKey, { available: 3 }]]);

  it('judges lines of one variant on their sum', () => {
    const lines = [
      { sku: 'HB-NAVY-M', quantity: 2 },
      { sku: 'HB-NAVY-M', quantity: 2 },
    ];
    expect(judgeLines(lines, [navy, navy], stock).map((l) => l.ok)).toEqual([false, false]);
    expect(judgeLines(lines.slice(0, 1), [navy], stock)[0]).toEqual({
      sku: 'HB-NAVY-M',
      variantKey: navy.variantKey,
      requested: 2,
      available: 3,
      ok: true,
    });
  });

  it('lets backorder variants through whatever the stock', () => {
    expect(judgeLines([{ sku: 'HB-CUSTOM', quantity: 9 }], [madeToOrder], new Map([[madeToOrder.variantKey, { available: 0 }]]))[0]).toMatchObject({ ok: true });
  });

  it('marks unknown and inactive variants with a reason', () => {
    const [unknown, inactive] = judgeLines(
      [
        { sku: 'NOPE', quantity: 1 },
        { sku: 'HB-NAVY-M', quantity: 1 },
      ],
      [undefined, { ...navy, sellable: false }],
      stock,
    );
    expect(unknown).toMatchObject({ ok: false, reason: 'unknown_sku', available: 0, variantKey: 'nope' });
    expect(inactive).toMatchObject({ ok: false, reason: 'inactive', available: 0 });
  });

  it('reports unknown stock as null and lets the line through (best effort only)', () => {
    expect(judgeLines([{ sku: 'HB-NAVY-M', quantity: 1 }], [navy], new Map())[0]).toMatchObject({ ok: true, available: null });
  });
});

describe('mergeDemand', () => {
  it('sums lines per variant in first-seen order', () => {
    expect(
      mergeDemand([
        { variantKey: 'b', sku: 'B', quantity: 1 },
        { variantKey: 'a', sku: 'A', quantity: 2 },
        { variantKey: 'b', sku: 'B', quantity: 3 },
      ]),
    ).toEqual([
      { variantKey: 'b', sku: 'B', quantity: 4 },
      { variantKey: 'a', sku: 'A', quantity: 2 },
    ]);
  });
});
