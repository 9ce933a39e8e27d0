ALTER TABLE `shops` ADD `rate_limit_read_per_minute` integer DEFAULT 300 NOT NULL;--> statement-breakpoint
ALTER TABLE `shops` ADD `rate_limit_validate_per_minute` integer DEFAULT 60 NOT NULL;--> statement-breakpoint
ALTER TABLE `shops` ADD `rate_limit_cart_per_minute` integer DEFAULT 120 NOT NULL;--> statement-breakpoint
ALTER TABLE `shops` ADD `rate_limit_checkout_per_minute` integer DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE `shops` ADD `rate_limit_admin_per_minute` integer DEFAULT 120 NOT NULL;