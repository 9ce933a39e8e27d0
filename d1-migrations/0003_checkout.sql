CREATE TABLE `checkouts` (
	`id` text PRIMARY KEY NOT NULL,
	`shop_id` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`cart_id` text,
	`reservation_id` text NOT NULL,
	`provider` text NOT NULL,
	`session_id` text,
	`session_url` text,
	`client_secret` text,
	`ui_mode` text NOT NULL,
	`email` text,
	`coupon_code` text,
	`lines` text NOT NULL,
	`subtotal` integer NOT NULL,
	`discount` integer NOT NULL,
	`shipping` integer NOT NULL,
	`tax` integer NOT NULL,
	`total` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`shop_id`) REFERENCES `shops`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `checkouts_live_key` ON `checkouts` (`shop_id`,`idempotency_key`) WHERE status IN ('pending', 'open');--> statement-breakpoint
CREATE INDEX `checkouts_key` ON `checkouts` (`shop_id`,`idempotency_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `checkouts_session` ON `checkouts` (`session_id`);--> statement-breakpoint
CREATE INDEX `checkouts_cart` ON `checkouts` (`shop_id`,`cart_id`,`status`);--> statement-breakpoint
CREATE INDEX `checkouts_status_expiry` ON `checkouts` (`status`,`expires_at`);--> statement-breakpoint
CREATE TABLE `coupons` (
	`shop_id` text NOT NULL,
	`code` text NOT NULL,
	`percent_off` integer,
	`amount_off` integer,
	`starts_at` integer,
	`ends_at` integer,
	`min_subtotal` integer DEFAULT 0 NOT NULL,
	`max_redemptions` integer,
	`redemptions` integer DEFAULT 0 NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`shop_id`, `code`),
	FOREIGN KEY (`shop_id`) REFERENCES `shops`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "coupons_one_discount" CHECK(("coupons"."percent_off" IS NULL) <> ("coupons"."amount_off" IS NULL) AND ("coupons"."percent_off" IS NULL OR "coupons"."percent_off" BETWEEN 1 AND 100) AND ("coupons"."amount_off" IS NULL OR "coupons"."amount_off" > 0))
);
--> statement-breakpoint
ALTER TABLE `shops` ADD `success_path` text DEFAULT '/checkout/success/' NOT NULL;--> statement-breakpoint
ALTER TABLE `shops` ADD `cancel_path` text DEFAULT '/cart/' NOT NULL;--> statement-breakpoint
ALTER TABLE `shops` ADD `shipping_countries` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `shops` ADD `shipping_options` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `shops` ADD `automatic_tax` integer DEFAULT false NOT NULL;