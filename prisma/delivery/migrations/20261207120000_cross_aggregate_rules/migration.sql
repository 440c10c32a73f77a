-- Rules across aggregates (architecture.md): what the delivery service knows of the orders
-- and dispatches its deliveries belong to. The delivery aggregate settles the races between
-- a cancellation and a pickup: every command that relies on an order's facts locks its row,
-- so a cancellation recorded here (by the order or dispatch service's synchronous call) and
-- a pickup or a new delivery are serialised, and exactly one of the two succeeds.
CREATE TABLE `order_facts` (
    `order_id` CHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    `cancelled_at` DATETIME(3) NULL,

    PRIMARY KEY (`order_id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `dispatch_facts` (
    `dispatch_id` CHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    `order_id` CHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    `cancelled_at` DATETIME(3) NULL,

    PRIMARY KEY (`dispatch_id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
