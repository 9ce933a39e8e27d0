-- One live checkout per cart. Before this index two requests for one cart at the same instant (two tabs, each with
-- its own Idempotency-Key) could both claim; of any such pair still live, the older is ended here as superseded,
-- as the newer would have ended it, and its coupon use given back. Its stock holds lapse at their expiry (the
-- stock objects count them until then), and a session paid meanwhile is still recorded by the webhook.
UPDATE `checkouts` SET `status` = 'superseded', `updated_at` = CAST(strftime('%s', 'now') AS INTEGER) * 1000
WHERE `cart_id` IS NOT NULL AND `status` IN ('pending', 'open') AND EXISTS (
  SELECT 1 FROM `checkouts` AS `newer`
  WHERE `newer`.`shop_id` = `checkouts`.`shop_id` AND `newer`.`cart_id` = `checkouts`.`cart_id`
    AND `newer`.`status` IN ('pending', 'open')
    AND (`newer`.`created_at` > `checkouts`.`created_at` OR (`newer`.`created_at` = `checkouts`.`created_at` AND `newer`.`id` > `checkouts`.`id`))
);--> statement-breakpoint
UPDATE `coupon_redemptions` SET `status` = 'released', `updated_at` = CAST(strftime('%s', 'now') AS INTEGER) * 1000
WHERE `status` = 'reserved' AND `checkout_id` IN (SELECT `id` FROM `checkouts` WHERE `status` = 'superseded');--> statement-breakpoint
CREATE UNIQUE INDEX `checkouts_live_cart` ON `checkouts` (`shop_id`,`cart_id`) WHERE cart_id IS NOT NULL AND status IN ('pending', 'open');
