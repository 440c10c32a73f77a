-- Reactions (process managers, architecture.md): one row per (triggering event, reaction),
-- written in the reaction's own transaction, so a redelivered event changes nothing twice.
CREATE TABLE `reaction_inbox` (
    `event_id` CHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    `reaction` VARCHAR(128) NOT NULL,
    `processed_at` DATETIME(3) NOT NULL,

    PRIMARY KEY (`event_id`, `reaction`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
