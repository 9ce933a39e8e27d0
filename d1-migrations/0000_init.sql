CREATE TABLE `products` (
	`shop_id` text NOT NULL,
	`sku` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`shop_id`, `sku`),
	FOREIGN KEY (`shop_id`) REFERENCES `shops`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `reservation_lines` (
	`reservation_id` text NOT NULL,
	`shop_id` text NOT NULL,
	`variant_key` text NOT NULL,
	`sku` text NOT NULL,
	`quantity` integer NOT NULL,
	`held` integer NOT NULL,
	PRIMARY KEY(`reservation_id`, `variant_key`),
	FOREIGN KEY (`reservation_id`) REFERENCES `reservations`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "reservation_lines_qty" CHECK("reservation_lines"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE `reservations` (
	`id` text PRIMARY KEY NOT NULL,
	`shop_id` text NOT NULL,
	`status` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`shop_id`) REFERENCES `shops`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `reservations_status_expiry` ON `reservations` (`status`,`expires_at`);--> statement-breakpoint
CREATE INDEX `reservations_shop` ON `reservations` (`shop_id`);--> statement-breakpoint
CREATE TABLE `shops` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`hostnames` text NOT NULL,
	`allowed_origins` text NOT NULL,
	`currency` text NOT NULL,
	`hold_ttl_minutes` integer DEFAULT 30 NOT NULL,
	`max_cart_lines` integer DEFAULT 50 NOT NULL,
	`max_line_quantity` integer DEFAULT 10 NOT NULL,
	`inventory_policy` text DEFAULT 'fail_closed' NOT NULL,
	`payment_provider` text DEFAULT 'stripe' NOT NULL,
	`checkout_ui_mode` text DEFAULT 'hosted_page' NOT NULL,
	`stripe_secret_key_binding` text,
	`stripe_webhook_secret_binding` text,
	`admin_token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "shops_hold_ttl_min" CHECK("shops"."hold_ttl_minutes" >= 30 AND "shops"."hold_ttl_minutes" <= 1440),
	CONSTRAINT "shops_cart_limits" CHECK("shops"."max_cart_lines" >= 1 AND "shops"."max_line_quantity" >= 1)
);
--> statement-breakpoint
CREATE TABLE `variants` (
	`shop_id` text NOT NULL,
	`sku` text NOT NULL,
	`product_sku` text NOT NULL,
	`variant_key` text NOT NULL,
	`attributes` text NOT NULL,
	`unit_amount` integer NOT NULL,
	`currency` text NOT NULL,
	`stripe_price_id` text,
	`active` integer DEFAULT true NOT NULL,
	`backorder` integer DEFAULT false NOT NULL,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`shop_id`, `sku`),
	FOREIGN KEY (`shop_id`) REFERENCES `shops`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`shop_id`,`product_sku`) REFERENCES `products`(`shop_id`,`sku`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "variants_unit_amount" CHECK("variants"."unit_amount" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `variants_shop_variant_key` ON `variants` (`shop_id`,`variant_key`);--> statement-breakpoint
CREATE INDEX `variants_shop_product` ON `variants` (`shop_id`,`product_sku`);