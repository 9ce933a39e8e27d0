CREATE TABLE `alert_states` (
	`shop_id` text NOT NULL,
	`kind` text NOT NULL,
	`active_since` integer NOT NULL,
	`value` real NOT NULL,
	`threshold` real NOT NULL,
	`notified_at` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`shop_id`, `kind`)
);
--> statement-breakpoint
CREATE TABLE `metric_hourly` (
	`shop_id` text NOT NULL,
	`hour` integer NOT NULL,
	`name` text NOT NULL,
	`value` integer NOT NULL,
	PRIMARY KEY(`shop_id`, `hour`, `name`)
);
--> statement-breakpoint
ALTER TABLE `shops` ADD `alert_webhook_url` text;