CREATE TABLE `order_history` (
	`order_id` text NOT NULL,
	`at` integer NOT NULL,
	`status` text NOT NULL,
	`note` text NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `order_history_order` ON `order_history` (`order_id`,`at`);--> statement-breakpoint
CREATE TABLE `order_lines` (
	`order_id` text NOT NULL,
	`sku` text NOT NULL,
	`variant_key` text NOT NULL,
	`name` text NOT NULL,
	`attributes` text NOT NULL,
	`quantity` integer NOT NULL,
	`unit_amount` integer NOT NULL,
	`line_amount` integer NOT NULL,
	PRIMARY KEY(`order_id`, `sku`),
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `orders` (
	`id` text PRIMARY KEY NOT NULL,
	`shop_id` text NOT NULL,
	`number` integer NOT NULL,
	`checkout_id` text NOT NULL,
	`session_id` text NOT NULL,
	`payment_intent_id` text,
	`status` text NOT NULL,
	`attention` text,
	`email` text,
	`shipping_address` text,
	`coupon_code` text,
	`coupon_counted` integer DEFAULT false NOT NULL,
	`currency` text NOT NULL,
	`subtotal` integer NOT NULL,
	`discount` integer NOT NULL,
	`shipping` integer NOT NULL,
	`tax` integer NOT NULL,
	`total` integer NOT NULL,
	`amount_refunded` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`shop_id`) REFERENCES `shops`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `orders_session` ON `orders` (`session_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `orders_shop_number` ON `orders` (`shop_id`,`number`);--> statement-breakpoint
CREATE INDEX `orders_shop_status` ON `orders` (`shop_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `orders_payment_intent` ON `orders` (`shop_id`,`payment_intent_id`);--> statement-breakpoint
CREATE TABLE `stripe_events` (
	`shop_id` text NOT NULL,
	`id` text NOT NULL,
	`type` text NOT NULL,
	`object_id` text,
	`processed_at` integer NOT NULL,
	PRIMARY KEY(`shop_id`, `id`),
	FOREIGN KEY (`shop_id`) REFERENCES `shops`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `shops` ADD `order_prefix` text DEFAULT 'ORD' NOT NULL;--> statement-breakpoint
ALTER TABLE `shops` ADD `restock_on_refund` integer DEFAULT false NOT NULL;