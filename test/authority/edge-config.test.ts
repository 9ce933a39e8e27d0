// The RPC the gateway uses to learn a shop's status and limits.
import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import CommerceAuthority from '../../workers/commerce-authority/src/index';

const authority = () => new CommerceAuthority(createExecutionContext(), env);

describe('shopEdgeConfig', () => {
  it('answers an active shop with its per-minute limits', async () => {
    await env.DB.prepare('UPDATE shops SET rate_limit_checkout_per_minute = 4 WHERE id = ?').bind('othershop').run();
    expect(await authority().shopEdgeConfig('othershop')).toEqual({
      shopId: 'othershop',
      rateLimits: { read: 300, validate: 60, cart: 120, checkout: 4, admin: 120 },
    });
  });

  it('answers null for an unknown, inactive or malformed shop id', async () => {
    expect(await authority().shopEdgeConfig('nosuchshop')).toBeNull();
    expect(await authority().shopEdgeConfig('closedshop')).toBeNull();
    expect(await authority().shopEdgeConfig("x' OR '1'='1")).toBeNull();
  });
});
