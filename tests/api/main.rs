//! Integration tests: the real HTTP application against a real database, every scenario on
//! SQLite and, when `VEDTAKSLOGG_TEST_POSTGRES_URL` is set, on PostgreSQL.

mod helpers;

mod decisions;
mod errors;
mod health;
mod openapi;
mod schema;
mod walkthrough;
