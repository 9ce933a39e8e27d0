ALTER TABLE `orders` ADD `fulfilment` text;--> statement-breakpoint
CREATE INDEX `orders_shop_email` ON `orders` (`shop_id`,lower("email"));--> statement-breakpoint
CREATE INDEX `orders_shop_created` ON `orders` (`shop_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `variants` ADD `low_stock_threshold` integer;