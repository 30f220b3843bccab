//! Vedtakslogg: a decision log for public committees.
//!
//! The modules are the architecture: `domain` holds the types that cannot hold invalid values,
//! `store` the database (diesel, SQLite or PostgreSQL), `import` reads meeting documents, `api` the HTTP handlers and the
//! OpenAPI document, `web` the pages for people in a browser, `startup` wires them into a server, `cli` and `config` are the way in.

pub mod api;
pub mod cli;
pub mod config;
pub mod domain;
pub mod import;
pub mod notify;
pub mod report;
pub mod startup;
pub mod store;
pub mod web;
pub mod writes;
