DROP TABLE reminder_keys;
DROP TABLE owner_contacts;
DROP TABLE outbox_attempts;
DROP TABLE outbox;
DROP TABLE webhook_endpoints;
