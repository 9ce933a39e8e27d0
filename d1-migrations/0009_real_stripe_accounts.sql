CREATE TABLE `deferred_stripe_events` (
	`shop_id` text NOT NULL,
	`id` text NOT NULL,
	`type` text NOT NULL,
	`payment_intent_id` text NOT NULL,
	`payload` text NOT NULL,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`shop_id`, `id`),
	FOREIGN KEY (`shop_id`) REFERENCES `shops`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `deferred_stripe_events_intent` ON `deferred_stripe_events` (`shop_id`,`payment_intent_id`);--> statement-breakpoint
CREATE INDEX `deferred_stripe_events_received` ON `deferred_stripe_events` (`received_at`);--> statement-breakpoint
CREATE TABLE `order_refund_failures` (
	`order_id` text NOT NULL,
	`shop_id` text NOT NULL,
	`refund_id` text NOT NULL,
	`amount` integer NOT NULL,
	`failed_at` integer NOT NULL,
	PRIMARY KEY(`order_id`, `refund_id`),
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `webhook_locks` (
	`shop_id` text NOT NULL,
	`key` text NOT NULL,
	`holder` text NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`shop_id`, `key`)
);
--> statement-breakpoint
ALTER TABLE `order_lines` ADD `committed` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `charge_refunded` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `charge_refunded_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `dispute` text;--> statement-breakpoint
CREATE INDEX `stripe_events_processed` ON `stripe_events` (`processed_at`);