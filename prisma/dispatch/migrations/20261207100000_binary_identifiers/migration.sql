-- Identifiers compare bytes, not letters (architecture.md, "Identifiers"): id and identifier
-- columns get a binary collation. Type, length and nullability stay as schema.prisma declares
-- them and the character set stays utf8mb4, so no stored value can fail the conversion (and
-- no unique index can: values that were equal under the old case-insensitive collation could
-- not both be stored).

ALTER TABLE `dispatches`
    MODIFY `id` CHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    MODIFY `order_id` CHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    MODIFY `rider_id` VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL;

ALTER TABLE `outbox_event`
    MODIFY `event_id` CHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    MODIFY `aggregate_id` CHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;

-- Aggregate ids in canonical lower case: before this release a command could store the
-- letter case its client sent (an upper-case path id in the outbox, an upper-case body
-- reference in a row). No two of them differed only in case (the old unique indexes were
-- case-insensitive), so lower-casing cannot collide. Envelopes stay byte for byte: the
-- event parser lower-cases their ids on read.
UPDATE `outbox_event` SET `aggregate_id` = LOWER(`aggregate_id`) WHERE `aggregate_id` <> LOWER(`aggregate_id`);
UPDATE `dispatches` SET `order_id` = LOWER(`order_id`) WHERE `order_id` <> LOWER(`order_id`);
