//! Statements kept prepared on their connection although diesel would prepare them anew at
//! every run.
//!
//! Diesel keeps a connection's statements prepared, keyed by their type or their SQL text, but
//! never an `UPDATE`, an upsert or raw SQL (`sql_query`): their text may vary from run to run,
//! so each of them marks itself as not to be kept. On SQLite, preparing an `UPDATE` of
//! `decisions` compiles every trigger and index of the table into the statement, which costs
//! more than running it, inside the writers' turn. The two forms here build the same SQL
//! without that mark, so diesel keeps each text prepared once per connection:
//!
//! - [`update`]: `UPDATE table SET changes WHERE filter`, with diesel's changesets (a column
//!   left out by `None` makes another text, and is kept as one more statement);
//! - [`sql`]: raw SQL of constant pieces, with its values bound where their placeholders go.
//!
//! Not for a statement whose text holds data or a list of any length (`IN (?, ?, ...)`): each
//! text would stay prepared for the life of the connection.

use std::marker::PhantomData;

use diesel::backend::Backend;
use diesel::query_builder::{AsChangeset, AstPass, Query, QueryFragment, QueryId};
use diesel::result::Error;
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Untyped};
use diesel::{QueryResult, RunQueryDsl, Table};

/// `UPDATE table SET changes WHERE filter`, kept prepared; see the module.
#[derive(Debug, Clone)]
pub(crate) struct KeptUpdate<F, W, C> {
    from: F,
    filter: W,
    changes: C,
}

/// An `UPDATE` of the rows of `table` that match `filter`, kept prepared per form of
/// `changes`.
pub(crate) fn update<T, W, V>(
    table: T,
    filter: W,
    changes: V,
) -> KeptUpdate<T::FromClause, W, V::Changeset>
where
    T: Table,
    V: AsChangeset<Target = T>,
{
    KeptUpdate {
        from: table.from_clause(),
        filter,
        changes: changes.as_changeset(),
    }
}

impl<F, W, C, DB> QueryFragment<DB> for KeptUpdate<F, W, C>
where
    DB: Backend,
    F: QueryFragment<DB>,
    W: QueryFragment<DB>,
    C: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        if self.changes.is_noop(out.backend())? {
            return Err(Error::QueryBuilderError(
                "an update that changes no column".into(),
            ));
        }
        out.push_sql("UPDATE ");
        self.from.walk_ast(out.reborrow())?;
        out.push_sql(" SET ");
        self.changes.walk_ast(out.reborrow())?;
        out.push_sql(" WHERE ");
        self.filter.walk_ast(out.reborrow())
    }
}

/// Keyed by its SQL text and bind types.
impl<F, W, C> QueryId for KeptUpdate<F, W, C> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<F, W, C, Conn> RunQueryDsl<Conn> for KeptUpdate<F, W, C> {}

/// Raw SQL of constant pieces, kept prepared; see the module.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeptSql<Q> {
    before: Q,
    text: &'static str,
}

/// Raw SQL, kept prepared: its text, then [`KeptStatement::bind`] for a value where its
/// placeholder goes and [`KeptStatement::sql`] for the text after it.
pub(crate) fn sql(text: &'static str) -> KeptSql<()> {
    KeptSql { before: (), text }
}

/// A value of a [`KeptSql`], in the place of its placeholder.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeptBind<Q, V, ST> {
    before: Q,
    value: V,
    sql_type: PhantomData<ST>,
}

/// How a [`KeptSql`] is written: text and values in their order.
pub(crate) trait KeptStatement: Sized {
    /// More text.
    fn sql(self, text: &'static str) -> KeptSql<Self> {
        KeptSql { before: self, text }
    }

    /// A value, in the place of its placeholder (written by diesel: `?` or `$1`).
    fn bind<ST, V>(self, value: V) -> KeptBind<Self, V, ST> {
        KeptBind {
            before: self,
            value,
            sql_type: PhantomData,
        }
    }
}

impl<Q> KeptStatement for KeptSql<Q> {}
impl<Q, V, ST> KeptStatement for KeptBind<Q, V, ST> {}

impl<Q, DB> QueryFragment<DB> for KeptSql<Q>
where
    DB: Backend,
    Q: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.before.walk_ast(out.reborrow())?;
        out.push_sql(self.text);
        Ok(())
    }
}

impl<Q, V, ST, DB> QueryFragment<DB> for KeptBind<Q, V, ST>
where
    DB: Backend + HasSqlType<ST>,
    Q: QueryFragment<DB>,
    V: ToSql<ST, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.before.walk_ast(out.reborrow())?;
        out.push_bind_param::<ST, V>(&self.value)
    }
}

/// Keyed by its SQL text and bind types.
impl<Q> QueryId for KeptSql<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

/// Keyed by its SQL text and bind types.
impl<Q, V, ST> QueryId for KeptBind<Q, V, ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> Query for KeptSql<Q> {
    type SqlType = Untyped;
}

impl<Q, V, ST> Query for KeptBind<Q, V, ST> {
    type SqlType = Untyped;
}

impl<Q, Conn> RunQueryDsl<Conn> for KeptSql<Q> {}
impl<Q, V, ST, Conn> RunQueryDsl<Conn> for KeptBind<Q, V, ST> {}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use diesel::connection::{Instrumentation, InstrumentationEvent, SimpleConnection};
    use diesel::prelude::*;
    use diesel::sql_types::{Integer, Text};

    use super::{KeptStatement as _, sql, update};

    diesel::table! {
        notes (id) {
            id -> Integer,
            body -> Text,
            edits -> Integer,
        }
    }

    /// Counts the statements a connection puts in its cache.
    struct CountKept(Arc<AtomicUsize>);

    impl Instrumentation for CountKept {
        fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
            if let InstrumentationEvent::CacheQuery { .. } = event {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
    }

    fn connection() -> (SqliteConnection, Arc<AtomicUsize>) {
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        conn.batch_execute(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, edits INTEGER NOT NULL);
             INSERT INTO notes VALUES (1, 'a', 0), (2, 'b', 0);",
        )
        .unwrap();
        let kept = Arc::new(AtomicUsize::new(0));
        conn.set_instrumentation(CountKept(kept.clone()));
        (conn, kept)
    }

    fn rows(conn: &mut SqliteConnection) -> Vec<(i32, String, i32)> {
        notes::table.order(notes::id).load(conn).unwrap()
    }

    #[test]
    fn an_update_is_prepared_once_per_form_and_changes_what_it_says() {
        let (mut conn, kept) = connection();
        for (id, body) in [(1, "x"), (2, "y"), (1, "z")] {
            let changed = update(
                notes::table,
                notes::id.eq(id),
                (notes::body.eq(body), notes::edits.eq(notes::edits + 1)),
            )
            .execute(&mut conn)
            .unwrap();
            assert_eq!(changed, 1);
        }
        assert_eq!(kept.load(Ordering::SeqCst), 1, "one form, kept once");
        // A column left out is another form.
        let no_body: Option<&str> = None;
        update(
            notes::table,
            notes::id.eq(2),
            (no_body.map(|b| notes::body.eq(b)), notes::edits.eq(9)),
        )
        .execute(&mut conn)
        .unwrap();
        assert_eq!(kept.load(Ordering::SeqCst), 2);
        // Diesel's own update is prepared at every run, and never kept.
        diesel::update(notes::table.find(2))
            .set(notes::edits.eq(9))
            .execute(&mut conn)
            .unwrap();
        assert_eq!(kept.load(Ordering::SeqCst), 2);
        assert_eq!(
            rows(&mut conn),
            vec![(1, "z".to_owned(), 2), (2, "y".to_owned(), 9)]
        );
    }

    #[test]
    fn an_update_that_changes_nothing_is_refused() {
        let (mut conn, _) = connection();
        let nothing: Option<&str> = None;
        let refused = update(
            notes::table,
            notes::id.eq(1),
            nothing.map(|b| notes::body.eq(b)),
        )
        .execute(&mut conn);
        assert!(refused.is_err());
        assert_eq!(rows(&mut conn)[0], (1, "a".to_owned(), 0));
    }

    #[test]
    fn raw_sql_binds_its_values_in_their_places_and_is_prepared_once() {
        let (mut conn, kept) = connection();
        for (id, body) in [(3, "c"), (1, "A"), (3, "C")] {
            sql("INSERT INTO notes (id, body, edits) VALUES (")
                .bind::<Integer, _>(id)
                .sql(", ")
                .bind::<Text, _>(body)
                .sql(", 0) ON CONFLICT (id) DO UPDATE SET body = excluded.body, edits = edits + 1")
                .execute(&mut conn)
                .unwrap();
        }
        assert_eq!(kept.load(Ordering::SeqCst), 1);
        assert_eq!(
            rows(&mut conn),
            vec![
                (1, "A".to_owned(), 1),
                (2, "b".to_owned(), 0),
                (3, "C".to_owned(), 1)
            ]
        );
    }
}
