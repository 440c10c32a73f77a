-- Rules across aggregates (architecture.md): what the dispatch service knows of each order
-- it dispatches for. The row is locked by every command that relies on it, so the order's
-- dispatch requests are serialised (one open dispatch per order) and see its cancellation.
CREATE TABLE `order_facts` (
    `order_id` CHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    `cancelled_at` DATETIME(3) NULL,

    PRIMARY KEY (`order_id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
