-- A fence whose stock objects could not all let go is left `releasing`, so the cron reaper retries the give-back
-- within a minute instead of leaving the units out of sale until the holds lapse (up to the hold's whole time).
-- The fence must still refuse a claim while it is `releasing`: the trigger of 0017 now reads both statuses.
DROP TRIGGER IF EXISTS `checkouts_hold_released`;--> statement-breakpoint
CREATE TRIGGER `checkouts_hold_released` BEFORE INSERT ON `checkouts`
BEGIN
  SELECT RAISE(ABORT, 'hold_released')
  WHERE EXISTS (SELECT 1 FROM `reservations` WHERE `id` = NEW.`reservation_id` AND `status` IN ('released', 'releasing'));
END;
