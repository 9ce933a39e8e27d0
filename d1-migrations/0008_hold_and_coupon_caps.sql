-- Caps that must hold however many requests race: each is checked inside the INSERT that would break it,
-- so two concurrent claims can never pass together (D1 runs one write at a time). See decision 0012.

-- A client (IPv4 address or IPv6 /64) holds at most the shop's max_held_units_per_client units in live
-- checkouts. A live checkout of the same cart does not count: the new one supersedes it. The client's index is
-- named: left to itself the planner prefers (status, expires_at) and reads every live checkout of every shop.
CREATE TRIGGER `checkouts_client_hold_cap` BEFORE INSERT ON `checkouts`
WHEN NEW.`client_key` IS NOT NULL AND NEW.`held_units` > 0
BEGIN
  SELECT RAISE(ABORT, 'client_hold_cap')
  WHERE NEW.`held_units` + (
      SELECT COALESCE(SUM(`held_units`), 0) FROM `checkouts` INDEXED BY `checkouts_client`
      WHERE `shop_id` = NEW.`shop_id` AND `client_key` = NEW.`client_key` AND `status` IN ('pending', 'open')
        AND `expires_at` > NEW.`created_at` AND (NEW.`cart_id` IS NULL OR `cart_id` IS NOT NEW.`cart_id`)
    ) > (SELECT `max_held_units_per_client` FROM `shops` WHERE `id` = NEW.`shop_id`);
END;
--> statement-breakpoint
-- A coupon has at most max_redemptions live (reserved) or paid (redeemed) uses, and a disabled coupon
-- takes no new reservation. Redeeming (a payment) is never refused: the money is already taken.
CREATE TRIGGER `coupon_redemptions_limit` BEFORE INSERT ON `coupon_redemptions`
WHEN NEW.`status` = 'reserved'
BEGIN
  SELECT RAISE(ABORT, 'coupon_inactive')
  WHERE NOT EXISTS (SELECT 1 FROM `coupons` WHERE `shop_id` = NEW.`shop_id` AND `code` = NEW.`code` AND `active` = 1);
  SELECT RAISE(ABORT, 'coupon_exhausted')
  WHERE (SELECT `max_redemptions` FROM `coupons` WHERE `shop_id` = NEW.`shop_id` AND `code` = NEW.`code`) <= (
    SELECT COUNT(*) FROM `coupon_redemptions`
    WHERE `shop_id` = NEW.`shop_id` AND `code` = NEW.`code` AND `status` IN ('reserved', 'redeemed')
  );
END;
