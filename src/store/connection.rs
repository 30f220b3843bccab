//! Connections to either backend through one type, the pool, and the embedded migrations.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{self, ManageConnection};
use diesel::{Connection, MultiConnection, PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::{Backend, DatabaseConfig};

use super::StoreError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// One connection to PostgreSQL or SQLite. Queries written once with diesel's DSL run on both.
#[derive(MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pool = r2d2::Pool<Manager>;

/// Opens connections for the configured backend, never guessing it from the URL at connect
/// time, and sets SQLite's per-connection pragmas.
#[derive(Debug, Clone)]
pub struct Manager {
    backend: Backend,
    url: String,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match self.backend {
            Backend::Postgres => PgConnection::establish(&self.url)
                .map(DbConnection::Postgres)
                .map_err(r2d2::Error::ConnectionError),
            Backend::Sqlite => {
                let mut conn =
                    SqliteConnection::establish(&self.url).map_err(r2d2::Error::ConnectionError)?;
                // The busy timeout makes a second writer wait instead of failing; foreign keys
                // are off by default in SQLite. WAL is set once, in `connect`: it is kept in the file.
                conn.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        diesel::r2d2::R2D2Connection::is_broken(conn)
    }
}

/// Builds the pool and applies pending migrations; returns the pool and the names of the
/// migrations it applied.
pub fn connect(config: &DatabaseConfig) -> Result<(Pool, Vec<String>), StoreError> {
    let manager = Manager {
        backend: config.backend,
        url: config.url.clone(),
    };
    if config.backend == Backend::Sqlite {
        let parent = std::path::Path::new(&config.url).parent();
        if let Some(parent) = parent.filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                StoreError::Unavailable(format!(
                    "cannot create the data directory {}: {e}",
                    parent.display()
                ))
            })?;
        }
        // WAL lets readers run beside the writer. Switching needs the file to itself, so it is
        // done on one connection before the pool opens several.
        let mut conn = manager
            .connect()
            .map_err(|e| StoreError::Unavailable(format!("cannot open {}: {e}", config.url)))?;
        conn.batch_execute("PRAGMA journal_mode = WAL;")
            .map_err(|e| {
                StoreError::Unavailable(format!("cannot switch {} to WAL: {e}", config.url))
            })?;
    }
    let pool = r2d2::Pool::builder()
        .max_size(config.pool_size)
        .connection_timeout(Duration::from_secs(10))
        .build(manager)
        .map_err(|e| StoreError::Unavailable(format!("cannot connect to the database: {e}")))?;
    let mut conn = pool
        .get()
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    let applied = run_migrations(&mut conn)?;
    Ok((pool, applied))
}

/// Applies the embedded migrations of the connection's backend.
pub fn run_migrations(conn: &mut DbConnection) -> Result<Vec<String>, StoreError> {
    let applied = match conn {
        DbConnection::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| StoreError::Migration(e.to_string()))?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// Runs `f` in a transaction that takes the write lock at its start. On SQLite that is
/// `BEGIN IMMEDIATE`: a deferred transaction that reads and then writes fails at once with
/// SQLITE_BUSY when another writer got in between, instead of waiting its turn.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
        }
        DbConnection::Postgres(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    let result = f(conn);
    let end = match (&result, conn) {
        (Ok(_), DbConnection::Sqlite(c)) => AnsiTransactionManager::commit_transaction(c),
        (Ok(_), DbConnection::Postgres(c)) => AnsiTransactionManager::commit_transaction(c),
        (Err(_), DbConnection::Sqlite(c)) => AnsiTransactionManager::rollback_transaction(c),
        (Err(_), DbConnection::Postgres(c)) => AnsiTransactionManager::rollback_transaction(c),
    };
    match (result, end) {
        (Ok(value), Ok(())) => Ok(value),
        (Ok(_), Err(e)) => Err(e.into()),
        // The caller's error is the one worth reporting; a failed rollback closes the connection.
        (Err(e), _) => Err(e),
    }
}
