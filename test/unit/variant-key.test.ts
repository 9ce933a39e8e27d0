import { describe, expect, it } from 'vitest';
import { normalizeAttributes, variantKey } from '../../shared/variant-key';

describe('variantKey', () => {
  it('is the sku alone when there are no attributes', () => {
    expect(variantKey('CF-HB-NAVY-M')).toBe('cf-hb-navy-m');
    expect(variantKey('CF-HB', {})).toBe('cf-hb');
  });

  it('does not depend on attribute order, case or spacing', () => {
    const a = variantKey('CF-HB', { Size: 'M', colour: 'Navy  Blue' });
    const b = variantKey('cf-hb', { colour: ' navy blue', size: 'm' });
    expect(a).toBe('cf-hb|colour=navy%20blue;size=m');
    expect(b).toBe(a);
  });

  it('cannot be forged by separators inside attribute values', () => {
    const forged = variantKey('CF-HB', { colour: 'navy;size=m' });
    const real = variantKey('CF-HB', { colour: 'navy', size: 'm' });
    expect(forged).not.toBe(real);
  });

  it('normalizes unicode so look-alike spellings match', () => {
    expect(variantKey('X', { colour: 'ｎａｖｙ' })).toBe(variantKey('X', { colour: 'navy' }));
  });

  it('sorts normalized attribute pairs by key', () => {
    expect(normalizeAttributes({ b: '1', A: '2' })).toEqual([
      ['a', '2'],
      ['b', '1'],
    ]);
  });
});
