//! Integration tests: the real HTTP application against a real database, every scenario on
//! SQLite and, when `VEDTAKSLOGG_TEST_POSTGRES_URL` is set, on PostgreSQL.

mod helpers;

mod access;
mod bad_input;
mod cli;
mod concurrency;
mod contract;
mod decisions;
mod errors;
mod follow_ups;
mod health;
mod history;
mod imports;
mod imports_unseen;
mod links;
mod memory;
mod openapi;
mod overview;
mod records;
mod reminders;
mod replicas;
mod schema;
mod sync;
mod variants;
mod walkthrough;
mod web;
mod webhooks;
