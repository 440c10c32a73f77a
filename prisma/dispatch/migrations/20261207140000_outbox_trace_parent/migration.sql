-- Traces across the event path (docs/observability.md, "Traces"): the W3C traceparent of the
-- command that wrote the row, sent by the relay as the Kafka header `traceparent`. Version 00
-- is 55 characters; NULL when the command carried none and tracing was off.
ALTER TABLE `outbox_event` ADD COLUMN `trace_parent` VARCHAR(55) NULL;
