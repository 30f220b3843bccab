//! Storage: the diesel schema, the queries, and the one error type of this layer. Nothing here
//! knows about HTTP; every function takes a connection and returns domain values.

pub mod cases;
pub mod chains;
pub mod committees;
mod connection;
pub mod decisions;
pub mod history;
pub mod imports;
pub mod kept;
pub mod links;
pub mod meetings;
pub mod outbox;
pub mod overview;
pub mod owners;
pub mod pending_imports;
mod prepared;
pub mod proposals;
pub mod reminders;
pub mod schema;
pub mod sessions;
mod sql_types;
pub mod tokens;
pub mod users;
pub mod webhooks;

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::dsl::sql;
use diesel::expression::SqlLiteral;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::Bool;

use crate::config::{Backend, DatabaseConfig};

pub use connection::{
    DbConnection, POSTGRES_LOCK_TIMEOUT_MS, Pool, gather_statistics, read_transaction,
    run_migrations, write_transaction,
};

/// What can go wrong in the store. The API maps each variant to one HTTP status, once.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The change collides with the data as it is (a duplicate case number, a record still
    /// in use).
    #[error("{0}")]
    Conflict(String),
    /// The input is well-formed but breaks a rule of the log (an unknown owner, a meeting of
    /// another committee).
    #[error("{0}")]
    Invalid(String),
    /// The database cannot be reached or the pool is exhausted.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The connection broke under the work; the pool replaces it.
    #[error("database unavailable: the connection to the database was lost")]
    ConnectionLost,
    #[error("migration failed: {0}")]
    Migration(String),
    /// A stored value that the domain types refuse: a bug or a hand-edited database.
    #[error("corrupt data in the database: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[source] DieselError),
    /// The record was deleted; its tombstone and history remain.
    #[error("{0}")]
    Gone(String),
    /// The change was made against a version of the record that is no longer current.
    #[error("the record has changed since version {expected}: it is at version {current}")]
    VersionMismatch { expected: i32, current: i32 },
    /// A bug: the work on the database thread panicked.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<DieselError> for StoreError {
    fn from(error: DieselError) -> Self {
        match &error {
            DieselError::NotFound => StoreError::NotFound("no such record".into()),
            // Constraint checks are the last line against races between two writers; the store
            // checks first where it can say more.
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                StoreError::Conflict(format!(
                    "the change conflicts with an existing record ({})",
                    info.constraint_name().unwrap_or_else(|| info.message())
                ))
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                StoreError::Conflict(
                    "the record is referred to by other records, or refers to one that is gone"
                        .into(),
                )
            }
            // SQLite's busy timeout or PostgreSQL's lock_timeout ran out: the database is
            // overloaded, not the request wrong.
            DieselError::DatabaseError(_, info)
                if info.message().contains("database is locked")
                    || info.message().contains("lock timeout") =>
            {
                StoreError::Unavailable("the database is busy".into())
            }
            // The connection broke under the query (the server restarted, a network cut, an
            // administrator ended the session): the pool drops it, and the next try gets a
            // fresh one.
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
            | DieselError::BrokenTransactionManager => StoreError::ConnectionLost,
            DieselError::DatabaseError(_, info) if connection_lost(info.message()) => {
                StoreError::ConnectionLost
            }
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                StoreError::Conflict(
                    "the change collided with a concurrent change; try again".into(),
                )
            }
            _ => StoreError::Database(error),
        }
    }
}

/// Whether a database error says the connection itself is gone, in the words libpq and
/// PostgreSQL use (an ended session has a SQLSTATE diesel does not name).
fn connection_lost(message: &str) -> bool {
    const SIGNS: &[&str] = &[
        "terminating connection",
        "server closed the connection",
        "connection to server",
        "could not receive data from server",
        "could not send data to server",
        "no connection to the server",
        "SSL connection has been closed",
    ];
    SIGNS.iter().any(|sign| message.contains(sign))
}

impl From<diesel::r2d2::PoolError> for StoreError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        StoreError::Unavailable(error.to_string())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// What a caller may see: everything, or only what is public (for anonymous readers, when
/// public reading is on).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Visibility {
    #[default]
    All,
    PublicOnly,
}

impl Visibility {
    /// The condition on an `is_public` column (`"table.is_public"`) that keeps what the caller
    /// may see. For a caller who sees everything it is `TRUE`, not `is_public IN (true, false)`:
    /// a test of the column reads every row it keeps, where no test lets a count or a group
    /// read an index alone.
    pub(crate) fn shown(self, is_public_column: &'static str) -> SqlLiteral<Bool> {
        sql::<Bool>(match self {
            Visibility::All => "TRUE",
            Visibility::PublicOnly => is_public_column,
        })
    }
}

/// Checks the version a change was made against, when the caller gave one.
pub(crate) fn check_version(expected: Option<i32>, current: i32) -> StoreResult<()> {
    match expected {
        Some(expected) if expected != current => {
            Err(StoreError::VersionMismatch { expected, current })
        }
        _ => Ok(()),
    }
}

/// One page of a list: its items, how many match in all, and the key of the last item when
/// another page follows.
#[derive(Debug)]
pub struct Page<T, K> {
    pub items: Vec<T>,
    pub total: Count,
    pub next: Option<K>,
}

/// The most items a list of decision points counts. Counting every match of a broad filter on
/// a large log would cost as much as reading them all, on every page.
pub const COUNT_LIMIT: i64 = 1000;

/// How many items a list matches: exact, or (past [`COUNT_LIMIT`]) at least this many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub value: i64,
    pub exact: bool,
}

impl Count {
    pub fn exactly(value: i64) -> Self {
        Self { value, exact: true }
    }

    /// From the rows found by a count that stopped after `COUNT_LIMIT + 1`.
    pub(crate) fn capped(found: usize) -> Self {
        let found = i64::try_from(found).unwrap_or(i64::MAX);
        if found > COUNT_LIMIT {
            Self {
                value: COUNT_LIMIT,
                exact: false,
            }
        } else {
            Self::exactly(found)
        }
    }
}

/// The backend a connection talks to.
pub(crate) fn backend_of(conn: &DbConnection) -> Backend {
    match conn {
        DbConnection::Sqlite(_) => Backend::Sqlite,
        DbConnection::Postgres(_) => Backend::Postgres,
    }
}

/// The values of a list as one JSON array, to be bound as one parameter.
pub(crate) fn json_list(values: impl IntoIterator<Item = String>) -> String {
    serde_json::Value::from(values.into_iter().collect::<Vec<_>>()).to_string()
}

/// A condition written in SQL around one bound text value.
pub(crate) type TextBoundCondition = diesel::expression::SqlLiteral<
    diesel::sql_types::Bool,
    diesel::expression::UncheckedBind<
        diesel::expression::SqlLiteral<diesel::sql_types::Bool>,
        diesel::dsl::AsExprOf<String, diesel::sql_types::Text>,
    >,
>;

/// The condition that `column` is one of `values`. The values are bound as one parameter (a
/// JSON array that the database unpacks), so that a query takes any number of them: a list
/// bound value by value fails past SQLite's limit of variables and makes PostgreSQL plan anew
/// for every length.
///
/// PostgreSQL plans with a guess of how many values there are: 100 for a set that a function
/// returns (`IN (SELECT ...)`), 10 for an array (`= ANY`). A few values are given as an array:
/// guessed at 100, a meeting's cases (10 each) looked like a tenth of a large log, and it
/// scanned and hashed the whole table (a meeting's case count at 1M points: 43 ms, from the
/// index 0.3 ms). Many values are given as a set, which it joins by index as a nested loop,
/// where an array of hundreds of keys was read as a bitmap (501 points' owners: 16 -> 10 ms).
pub(crate) fn one_of(
    backend: Backend,
    column: &str,
    values: impl IntoIterator<Item = String>,
) -> TextBoundCondition {
    /// Up to this many values PostgreSQL gets an array.
    const FEW_VALUES: usize = 30;
    let values: Vec<String> = values.into_iter().collect();
    let (open, close) = match backend {
        Backend::Sqlite => ("IN (SELECT value FROM json_each(", "))"),
        Backend::Postgres if values.len() <= FEW_VALUES => (
            "= ANY(ARRAY(SELECT json_array_elements_text(CAST(",
            " AS json))))",
        ),
        Backend::Postgres => ("IN (SELECT json_array_elements_text(CAST(", " AS json)))"),
    };
    diesel::dsl::sql::<diesel::sql_types::Bool>(&format!("{column} {open}"))
        .bind::<diesel::sql_types::Text, _>(json_list(values))
        .sql(close)
}

/// The ends of the calendar the store writes: the first and last dates a column can hold on
/// both backends, used where a date stands for "none" or for an open end.
pub(crate) const FIRST_DAY: NaiveDate = NaiveDate::from_ymd_opt(1, 1, 1).expect("a date");
pub(crate) const LAST_DAY: NaiveDate = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date");

/// The store as the rest of the service sees it: a pool, and a way to run blocking diesel
/// work off the async executor.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    backend: Backend,
    callers: std::sync::Arc<tokens::CallerCache>,
    stats:
        std::sync::Arc<kept::KeptAnswers<overview::StatsFilter, std::sync::Arc<overview::Stats>>>,
    /// The turn this store's SQLite writers take (see [`connection::WriteTurn`]).
    write_turn: connection::WriteTurn,
}

impl Store {
    /// Connects, applies pending migrations, and returns the store with the names of the
    /// migrations applied.
    pub fn open(config: &DatabaseConfig) -> StoreResult<(Self, Vec<String>)> {
        let (pool, applied) = connection::connect(config)?;
        Ok((
            Self {
                pool,
                backend: config.backend,
                callers: std::sync::Arc::default(),
                stats: std::sync::Arc::default(),
                write_turn: connection::WriteTurn::default(),
            },
            applied,
        ))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs `work` with a pooled connection on a blocking thread.
    pub async fn run<T, F>(&self, work: F) -> StoreResult<T>
    where
        F: FnOnce(&mut DbConnection) -> StoreResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let (pool, turn) = (self.pool.clone(), self.write_turn.clone());
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            let result = turn.around(|| work(&mut conn));
            connection::discard_if_lost(&mut conn, result)
        })
        .await
        .map_err(|e| StoreError::Internal(format!("database task failed: {e}")))?
    }

    /// The caller a token's secret belongs to, from a cache of a few seconds, so that a request
    /// costs no database round trip for its token. A token revoked through this instance is
    /// refused at once ([`Store::forget_callers`]); one revoked through another instance within
    /// [`tokens::CALLER_CACHE_SECONDS`].
    pub async fn authenticate(&self, secret: String) -> StoreResult<Option<tokens::Caller>> {
        if let Some(caller) = self.callers.get(&secret) {
            return Ok(Some(caller));
        }
        let callers = self.callers.clone();
        self.run(move |conn| {
            let caller = tokens::authenticate(conn, &secret)?;
            if let Some(caller) = &caller {
                callers.insert(secret, caller.clone());
            }
            Ok(caller)
        })
        .await
    }

    /// Empties the cache of callers: after a token is revoked.
    pub fn forget_callers(&self) {
        self.callers.clear();
    }

    /// Creates the first admin token when the database has no tokens at all.
    pub fn bootstrap_admin(
        &self,
        deliver: impl FnOnce(&tokens::IssuedToken) -> Result<(), String>,
    ) -> StoreResult<Option<tokens::IssuedToken>> {
        let mut conn = self.pool.get()?;
        tokens::bootstrap_admin(&mut conn, deliver)
    }

    /// Runs blocking work with a pooled connection on the current thread (for the command line).
    pub fn run_blocking<T>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut conn = self.pool.get()?;
        let result = self.write_turn.around(|| work(&mut conn));
        connection::discard_if_lost(&mut conn, result)
    }

    /// AU's dashboard counts: a pass over the whole log, so kept until the log changes (see
    /// [`kept`]); asked again with nothing changed, it costs one small query and gives the same
    /// `Arc` as before, so that a caller can keep what it made of it too.
    pub async fn stats(
        &self,
        filter: overview::StatsFilter,
    ) -> StoreResult<std::sync::Arc<overview::Stats>> {
        let (pool, kept) = (self.pool.clone(), self.stats.clone());
        tokio::task::spawn_blocking(move || {
            let today = Utc::now().date_naive();
            kept.answer(
                filter.clone(),
                &pool,
                |stats| stats.today == today,
                |conn| overview::stats(conn, &filter).map(std::sync::Arc::new),
            )
        })
        .await
        .map_err(|e| StoreError::Internal(format!("database task failed: {e}")))?
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        self.run(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SELECT 1").map_err(StoreError::from)
        })
        .await
    }
}

/// Cuts the rows of a page query, which asks for one row more than `limit`, to the page, and
/// gives the key of its last row when that extra row shows that another page follows.
pub(crate) fn split_page<R, K>(
    mut rows: Vec<R>,
    limit: i64,
    key: impl Fn(&R) -> K,
) -> (Vec<R>, Option<K>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = if more { rows.last().map(key) } else { None };
    (rows, next)
}

/// The current time as stored: UTC without offset, to the microsecond (what PostgreSQL keeps).
/// The time of a change: inside a write, the write's change time from the database's change
/// clock (see [`connection::write_transaction`]); elsewhere this machine's clock.
pub(crate) fn now() -> NaiveDateTime {
    connection::change_time().unwrap_or_else(clock_now)
}

/// This machine's clock, to the microsecond that both databases keep.
pub(crate) fn clock_now() -> NaiveDateTime {
    use chrono::Timelike;
    let now = Utc::now().naive_utc();
    now.with_nanosecond(now.nanosecond() / 1000 * 1000)
        .unwrap_or(now)
}

pub(crate) fn utc(timestamp: NaiveDateTime) -> DateTime<Utc> {
    timestamp.and_utc()
}

/// Reads a stored text column into a domain type.
pub(crate) fn parse_stored<T>(value: &str, column: &str) -> StoreResult<T>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    value
        .parse()
        .map_err(|e| StoreError::Corrupt(format!("{column} = '{value}': {e}")))
}
