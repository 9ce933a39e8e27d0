import { describe, expect, it } from 'vitest';
import { clientKeyOf } from '../../shared/client-address';

describe('clientKeyOf', () => {
  it('keeps an IPv4 address as it is, also when written IPv4-mapped', () => {
    expect(clientKeyOf('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKeyOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKeyOf('::FFFF:cb00:7107')).toBe('203.0.113.7');
  });

  it('folds every IPv6 address of one /64 into one key, however it is written', () => {
    const key = '2001:db8:0:1::/64';
    expect(clientKeyOf('2001:db8:0:1::1')).toBe(key);
    expect(clientKeyOf('2001:0DB8:0000:0001:ffff:ffff:ffff:ffff')).toBe(key);
    expect(clientKeyOf('2001:db8::1:abcd:0:0:1')).toBe(key);
    expect(clientKeyOf('2001:db8:0:2::1')).toBe('2001:db8:0:2::/64');
    expect(clientKeyOf('::1')).toBe('0:0:0:0::/64');
    expect(clientKeyOf('64:ff9b::198.51.100.1')).toBe('64:ff9b:0:0::/64');
  });

  it('is null for anything that is not an address', () => {
    for (const bad of [null, undefined, '', 'unknown', '1.2.3', '256.1.1.1', '01.2.3.4', '1:2:3:4:5:6:7:8:9', '1::2::3', 'fe80::1%eth0', 'g::1', ':::']) {
      expect(clientKeyOf(bad)).toBeNull();
    }
  });
});
