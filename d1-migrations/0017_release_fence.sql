-- A checkout holds its stock before its row exists, and the requests of one attempt share those holds and their
-- session (decision 0020). A request that gives back holds it has not recorded first writes a `released`
-- reservation under their id (`releaseUnrecorded` in inventory/reservations.ts); from then on no checkout may be claimed with that
-- id. D1 runs one write at a time, so of a give-back and a twin's claim exactly one wins: either the claim lands
-- first and the fence finds its record (and nothing is given back), or the fence lands first and the claim aborts.
CREATE TRIGGER `checkouts_hold_released` BEFORE INSERT ON `checkouts`
BEGIN
  SELECT RAISE(ABORT, 'hold_released')
  WHERE EXISTS (SELECT 1 FROM `reservations` WHERE `id` = NEW.`reservation_id` AND `status` = 'released');
END;
