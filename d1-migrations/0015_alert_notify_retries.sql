ALTER TABLE `alert_states` ADD `notify_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `alert_states` ADD `next_notify_at` integer;