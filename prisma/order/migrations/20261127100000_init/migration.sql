-- CreateTable
CREATE TABLE `orders` (
    `id` CHAR(36) NOT NULL,
    `customer_id` VARCHAR(64) NOT NULL,
    `store_id` VARCHAR(64) NOT NULL,
    `items` JSON NOT NULL,
    `total_amount` INTEGER NOT NULL,
    `address_line` VARCHAR(500) NOT NULL,
    `address_lat` DOUBLE NOT NULL,
    `address_lng` DOUBLE NOT NULL,
    `request_note` VARCHAR(500) NULL,
    `status` ENUM('PLACED', 'ACCEPTED', 'CANCELLED') NOT NULL,
    `cancel_reason` VARCHAR(500) NULL,
    `version` INTEGER NOT NULL,
    `created_at` DATETIME(3) NOT NULL,
    `updated_at` DATETIME(3) NOT NULL,

    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `outbox_event` (
    `id` BIGINT NOT NULL AUTO_INCREMENT,
    `event_id` CHAR(36) NOT NULL,
    `aggregate_id` CHAR(36) NOT NULL,
    `version` INTEGER NOT NULL,
    `event_type` VARCHAR(64) NOT NULL,
    `topic` VARCHAR(128) NOT NULL,
    `correlation_id` VARCHAR(128) NOT NULL,
    `envelope` MEDIUMTEXT NOT NULL,
    `created_at` DATETIME(3) NOT NULL,
    `sent_at` DATETIME(3) NULL,

    UNIQUE INDEX `outbox_event_event_id_key`(`event_id`),
    INDEX `outbox_event_sent_at_id_idx`(`sent_at`, `id`),
    UNIQUE INDEX `outbox_event_aggregate_id_version_key`(`aggregate_id`, `version`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `outbox_lease` (
    `name` VARCHAR(64) NOT NULL,
    `holder` VARCHAR(64) NOT NULL,
    `expires_at` DATETIME(3) NOT NULL,

    PRIMARY KEY (`name`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `idempotency_record` (
    `key_hash` CHAR(64) NOT NULL,
    `scope` VARCHAR(255) NOT NULL,
    `idempotency_key` VARCHAR(128) NOT NULL,
    `request_hash` CHAR(64) NOT NULL,
    `state` ENUM('IN_FLIGHT', 'COMPLETED') NOT NULL,
    `owner_token` CHAR(36) NOT NULL,
    `locked_until` DATETIME(3) NOT NULL,
    `response_status` INTEGER NULL,
    `response_body` MEDIUMTEXT NULL,
    `created_at` DATETIME(3) NOT NULL,
    `expires_at` DATETIME(3) NOT NULL,

    INDEX `idempotency_record_expires_at_idx`(`expires_at`),
    PRIMARY KEY (`key_hash`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
