CREATE TABLE `coupon_redemptions` (
	`checkout_id` text PRIMARY KEY NOT NULL,
	`shop_id` text NOT NULL,
	`code` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`shop_id`,`code`) REFERENCES `coupons`(`shop_id`,`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `coupon_redemptions_coupon` ON `coupon_redemptions` (`shop_id`,`code`,`status`);--> statement-breakpoint
ALTER TABLE `checkouts` ADD `request_hash` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `checkouts` ADD `client_key` text;--> statement-breakpoint
ALTER TABLE `checkouts` ADD `held_units` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `checkouts_client` ON `checkouts` (`shop_id`,`client_key`,`status`);--> statement-breakpoint
ALTER TABLE `shops` ADD `max_held_units_per_client` integer DEFAULT 20 NOT NULL;--> statement-breakpoint
ALTER TABLE `shops` ADD `turnstile_site_key` text;--> statement-breakpoint
ALTER TABLE `shops` ADD `turnstile_secret_binding` text;--> statement-breakpoint
ALTER TABLE `shops` ADD `challenge_min_total` integer;--> statement-breakpoint
ALTER TABLE `variants` ADD `max_per_checkout` integer;--> statement-breakpoint
ALTER TABLE `variants` ADD `requires_challenge` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `coupons` DROP COLUMN `redemptions`;--> statement-breakpoint
ALTER TABLE `orders` DROP COLUMN `coupon_counted`;