-- The short checkout path (decision 0015): fewer D1 rows written per checkout.
-- A reservation keeps its lines on its own row (one row written, not one per line): copy them, then drop the table.
ALTER TABLE `reservations` ADD `lines` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
UPDATE `reservations` SET `lines` = (
  SELECT json_group_array(json_object(
    'variantKey', `variant_key`, 'sku', `sku`, 'quantity', `quantity`, 'held', json(CASE WHEN `held` THEN 'true' ELSE 'false' END)))
  FROM `reservation_lines` WHERE `reservation_id` = `reservations`.`id`
) WHERE EXISTS (SELECT 1 FROM `reservation_lines` WHERE `reservation_id` = `reservations`.`id`);--> statement-breakpoint
DROP TABLE `reservation_lines`;--> statement-breakpoint
DROP INDEX `reservations_shop`;--> statement-breakpoint
-- Index entries a checkout need not have: no session yet, no cart, or no longer live.
DROP INDEX `checkouts_status_expiry`;--> statement-breakpoint
DROP INDEX `checkouts_session`;--> statement-breakpoint
DROP INDEX `checkouts_cart`;--> statement-breakpoint
DROP INDEX `checkouts_client`;--> statement-breakpoint
CREATE INDEX `checkouts_live_expiry` ON `checkouts` (`expires_at`) WHERE status IN ('pending', 'open');--> statement-breakpoint
CREATE UNIQUE INDEX `checkouts_session` ON `checkouts` (`session_id`) WHERE session_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `checkouts_cart` ON `checkouts` (`shop_id`,`cart_id`) WHERE cart_id IS NOT NULL;--> statement-breakpoint
-- The hold cap's trigger (0008) names this index; it keeps the same name and the trigger's own condition.
CREATE INDEX `checkouts_client` ON `checkouts` (`shop_id`,`client_key`) WHERE status IN ('pending', 'open');
