CREATE TABLE `metric_counters` (
	`shop_id` text NOT NULL,
	`name` text NOT NULL,
	`value` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`shop_id`, `name`)
);
