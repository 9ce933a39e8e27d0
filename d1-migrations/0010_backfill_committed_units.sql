-- Orders recorded before 0009 did not say which units they took from stock: every line of a paid (or refunded)
-- order that was not flagged oversold took its units, except backorder lines, which never take stock. Without
-- this, a refund of such an order would restock nothing. The charge snapshot starts from the refunded amount.
UPDATE `order_lines` SET `committed` = `quantity`
WHERE `order_id` IN (
    SELECT `id` FROM `orders`
    WHERE `status` IN ('paid', 'partially_refunded', 'refunded') AND (`attention` IS NULL OR `attention` <> 'oversold')
  )
  AND `sku` NOT IN (
    SELECT json_extract(l.`value`, '$.sku')
    FROM `orders` o JOIN `checkouts` c ON c.`id` = o.`checkout_id`, json_each(c.`lines`) l
    WHERE o.`id` = `order_lines`.`order_id` AND json_extract(l.`value`, '$.backorder') = 1
  );
--> statement-breakpoint
UPDATE `orders` SET `charge_refunded` = `amount_refunded`, `charge_refunded_at` = `updated_at` / 1000
WHERE `amount_refunded` > 0;
