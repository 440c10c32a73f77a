-- AlterTable
ALTER TABLE `deliveries` ADD COLUMN `cancel_reason` VARCHAR(500) NULL,
    MODIFY `status` ENUM('READY', 'PICKED_UP', 'DELIVERED', 'CANCELLED') NOT NULL;
