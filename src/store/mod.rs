//! Storage: the diesel schema, the queries, and the one error type of this layer. Nothing here
//! knows about HTTP; every function takes a connection and returns domain values.

pub mod cases;
pub mod chains;
pub mod committees;
mod connection;
pub mod decisions;
pub mod history;
pub mod imports;
pub mod links;
pub mod meetings;
pub mod overview;
pub mod owners;
pub mod proposals;
pub mod schema;
pub mod tokens;

use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::config::{Backend, DatabaseConfig};

pub use connection::{DbConnection, Pool, read_transaction, run_migrations, write_transaction};

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
            // SQLite's busy timeout ran out: the database is overloaded, not the request wrong.
            DieselError::DatabaseError(_, info)
                if info.message().contains("database is locked") =>
            {
                StoreError::Unavailable("the database is busy".into())
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

impl From<diesel::r2d2::PoolError> for StoreError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        StoreError::Unavailable(error.to_string())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// What a caller may see: everything, or only what is public (for anonymous readers, when
/// public reading is on).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Visibility {
    #[default]
    All,
    PublicOnly,
}

impl Visibility {
    /// The values of an `is_public` column the caller may see.
    pub(crate) fn public_values(self) -> &'static [bool] {
        match self {
            Visibility::All => &[true, false],
            Visibility::PublicOnly => &[true],
        }
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
    pub total: i64,
    pub next: Option<K>,
}

/// The store as the rest of the service sees it: a pool, and a way to run blocking diesel
/// work off the async executor.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    backend: Backend,
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
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await
        .map_err(|e| StoreError::Internal(format!("database task failed: {e}")))?
    }

    /// Creates the first admin token when the database has no tokens at all.
    pub fn bootstrap_admin(&self) -> StoreResult<Option<tokens::IssuedToken>> {
        let mut conn = self.pool.get()?;
        tokens::bootstrap_admin(&mut conn)
    }

    /// Runs blocking work with a pooled connection on the current thread (for the command line).
    pub fn run_blocking<T>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut conn = self.pool.get()?;
        work(&mut conn)
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
pub(crate) fn now() -> NaiveDateTime {
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

/// Serde helper for PATCH fields: absent means "unchanged" (`None`), `null` means "clear"
/// (`Some(None)`).
pub(crate) mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}
