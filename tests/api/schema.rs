//! The two sets of migrations give the same tables and columns, and the hand-written diesel
//! schema matches what they create. Full-text search is each backend's own (an FTS5 table on
//! SQLite, a tsvector column on PostgreSQL) and is left out of the comparison.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use vedtakslogg::config::Backend;
use vedtakslogg::store::schema::TABLES;
use vedtakslogg::store::{DbConnection, StoreError};

use crate::helpers::{TestApp, postgres_url};

#[derive(QueryableByName, Debug)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
}

/// table -> [(column, not null)], sorted.
type Shape = BTreeMap<String, Vec<(String, bool)>>;

fn shape(conn: &mut DbConnection) -> Result<Shape, StoreError> {
    let columns: Vec<Column> = match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(
            "SELECT m.name AS table_name, p.name AS column_name, (p.\"notnull\" OR p.pk > 0) AS not_null \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__diesel%' \
             AND m.name NOT LIKE 'decision_search%'",
        )
        .load(c)?,
        DbConnection::Postgres(c) => diesel::sql_query(
            "SELECT table_name::text AS table_name, column_name::text AS column_name, \
             (is_nullable = 'NO')::int AS not_null FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name NOT LIKE '__diesel%' \
             AND table_name IN (SELECT table_name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE') \
             AND column_name NOT IN ('search_vector', 'search_vector_simple')",
        )
        .load(c)?,
    };
    let mut shape = Shape::new();
    for column in columns {
        shape
            .entry(column.table_name)
            .or_default()
            .push((column.column_name, column.not_null != 0));
    }
    shape.values_mut().for_each(|columns| columns.sort());
    Ok(shape)
}

#[actix_web::test]
async fn both_backends_migrate_to_the_same_tables_and_columns() {
    let sqlite = TestApp::spawn(Backend::Sqlite).await;
    let sqlite_shape = sqlite.store.run(shape).await.unwrap();
    let tables: Vec<&str> = sqlite_shape.keys().map(String::as_str).collect();
    let mut expected: Vec<&str> = TABLES.to_vec();
    expected.sort();
    assert_eq!(
        tables, expected,
        "schema.rs lists every table the migrations create"
    );
    if postgres_url().is_none() {
        eprintln!(
            "skipped the PostgreSQL half: set {}",
            crate::helpers::POSTGRES_URL_VAR
        );
        return;
    }
    let postgres = TestApp::spawn(Backend::Postgres).await;
    let postgres_shape = postgres.store.run(shape).await.unwrap();
    assert_eq!(sqlite_shape, postgres_shape);
}

crate::on_both_backends!(diesel_schema_reads_every_column_of_every_table);

/// Selecting every column diesel knows fails if a column is missing or of another type; the
/// column counts show that the database has none that diesel does not know.
async fn diesel_schema_reads_every_column_of_every_table(backend: Backend) {
    use vedtakslogg::store::schema::*;
    let app = TestApp::spawn(backend).await;
    let counts = app
        .store
        .run(|conn| {
            let db_shape = shape(conn)?;
            let mut known = BTreeMap::new();
            macro_rules! check {
                ($($table:ident),+) => {$(
                    $table::table.select($table::all_columns).limit(1).execute(conn)?;
                    let sql = diesel::debug_query::<diesel::sqlite::Sqlite, _>(
                        &$table::table.select($table::all_columns),
                    )
                    .to_string();
                    let select = sql.split(" FROM ").next().unwrap_or_default();
                    known.insert(stringify!($table).to_owned(), select.matches(concat!("`", stringify!($table), "`.")).count());
                )+};
            }
            check!(api_tokens, history, link_proposals, committees, meetings, cases, owners, owner_aliases, decisions, decision_owners, case_links, imports, imported_values, change_clock, users, sessions, pending_imports, webhook_endpoints, outbox, outbox_attempts, owner_contacts, reminder_keys, meeting_tallies, owner_tallies);
            Ok((db_shape.into_iter().map(|(t, c)| (t, c.len())).collect::<BTreeMap<_, _>>(), known))
        })
        .await
        .unwrap();
    assert_eq!(counts.0, counts.1);
}
