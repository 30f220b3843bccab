//! Connections to either backend through one type, the pool, and the embedded migrations.

use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::connection::{
    AnsiTransactionManager, Instrumentation, InstrumentationEvent, SimpleConnection,
    TransactionManager,
};
use diesel::r2d2::{self, ManageConnection};
use diesel::{
    Connection, ExpressionMethods, MultiConnection, PgConnection, QueryDsl, RunQueryDsl,
    SqliteConnection,
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::{Backend, DatabaseConfig};

use super::StoreError;
use super::prepared;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// One connection to PostgreSQL or SQLite. Queries written once with diesel's DSL run on both.
#[derive(MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pool = r2d2::Pool<Manager>;

/// A statement that takes at least this long is logged at warn level.
const SLOW_STATEMENT: Duration = Duration::from_secs(1);

/// Times each statement of a connection: one slower than [`SLOW_STATEMENT`] is logged at warn
/// level with its SQL (never its values, which may be a hidden point's text), and with
/// `RUST_LOG=vedtakslogg::sql=debug` every statement is, so an operator can see what a slow
/// request waits for.
#[derive(Debug, Default)]
struct StatementTimer {
    started: Option<Instant>,
}

impl Instrumentation for StatementTimer {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { .. } => self.started = Some(Instant::now()),
            InstrumentationEvent::FinishQuery { query, .. } => {
                let Some(started) = self.started.take() else {
                    return;
                };
                let elapsed = started.elapsed();
                let level = if elapsed >= SLOW_STATEMENT {
                    log::Level::Warn
                } else {
                    log::Level::Debug
                };
                if log::log_enabled!(target: "vedtakslogg::sql", level) {
                    let sql = query.to_string();
                    let sql = sql.split("-- binds:").next().unwrap_or_default().trim();
                    log::log!(target: "vedtakslogg::sql", level, "{:.3} ms: {sql}", elapsed.as_secs_f64() * 1000.0);
                }
            }
            // Once per statement and connection: what the connection keeps prepared.
            InstrumentationEvent::CacheQuery { sql, .. } => {
                log::debug!(target: "vedtakslogg::sql", "kept prepared: {sql}");
            }
            _ => {}
        }
    }
}

/// Opens connections for the configured backend, never guessing it from the URL at connect
/// time, times their statements, and sets SQLite's per-connection pragmas.
#[derive(Debug, Clone)]
pub struct Manager {
    backend: Backend,
    url: String,
}

#[diesel::declare_sql_function]
extern "SQL" {
    /// SQLite only: whether every one of `terms` (lower case, separated by spaces) starts a
    /// word of `body`, as the full-text index matches a search. A search for a word found in
    /// much of the log tests each point with it while walking an order's index: the index
    /// itself gathers every word that starts with a term before it can answer for one point.
    fn vl_has_every_term(
        body: diesel::sql_types::Text,
        terms: diesel::sql_types::Text,
    ) -> diesel::sql_types::Bool;
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match self.backend {
            Backend::Postgres => {
                let mut conn =
                    PgConnection::establish(&self.url).map_err(r2d2::Error::ConnectionError)?;
                // A writer waits for its turn at most this long, then gets 503 and may try
                // again; without a bound it waits forever behind a stuck transaction. A
                // lock_timeout set by the operator (in the URL's options or the server's
                // configuration) is kept.
                conn.batch_execute(&format!(
                    "SELECT set_config('lock_timeout', '{POSTGRES_LOCK_TIMEOUT_MS}ms', false) \
                     WHERE current_setting('lock_timeout') IN ('0', '0ms')"
                ))
                .map_err(r2d2::Error::QueryError)?;
                conn.set_instrumentation(StatementTimer::default());
                Ok(DbConnection::Postgres(conn))
            }
            Backend::Sqlite => {
                let mut conn =
                    SqliteConnection::establish(&self.url).map_err(r2d2::Error::ConnectionError)?;
                // The busy timeout makes a second writer wait instead of failing; foreign keys
                // are off by default in SQLite. WAL is set once, in `connect`: it is kept in the file.
                // Each connection keeps its own page cache (32 MiB) and reads the file through a
                // memory map, so readers on several connections do not queue for the disk. The
                // map is as large as the build allows (SQLITE_MAX_MMAP_SIZE, raised to 16 GiB in
                // .cargo/config.toml; SQLite's own cap is 2 GiB): a log of 1M points is a 2.2 GB
                // file, and with 1 GiB mapped half of its reads were copies into each
                // connection's cache (a common word's search: 132 -> 83 ms p50). The log is
                // checkpointed after the writers' turn (see `WRITES_PER_CHECKPOINT`).
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA cache_size = -32768; \
                     PRAGMA mmap_size = 17179869184; PRAGMA temp_store = MEMORY; \
                     PRAGMA wal_autocheckpoint = 10000;",
                )
                .map_err(r2d2::Error::QueryError)?;
                vl_has_every_term_utils::register_impl(&mut conn, |body: String, terms: String| {
                    let terms: Vec<String> = terms.split(' ').map(str::to_owned).collect();
                    crate::domain::has_every_term(&body, &terms)
                })
                .map_err(r2d2::Error::QueryError)?;
                conn.set_instrumentation(StatementTimer::default());
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

/// Marks a connection whose work failed because it is gone, so that the pool drops it when it
/// comes back instead of handing it to the next request. The pool no longer tests a connection
/// at every checkout (a round trip per request); it finds a dead one by its error instead.
pub(crate) fn discard_if_lost<T>(
    conn: &mut DbConnection,
    result: Result<T, StoreError>,
) -> Result<T, StoreError> {
    if matches!(result, Err(StoreError::ConnectionLost)) {
        match conn {
            DbConnection::Sqlite(c) => {
                AnsiTransactionManager::transaction_manager_status_mut(c).set_in_error()
            }
            DbConnection::Postgres(c) => {
                AnsiTransactionManager::transaction_manager_status_mut(c).set_in_error()
            }
        }
    }
    result
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
    }
    // Migrations, and on SQLite the journal mode and the planner's statistics, on a connection
    // of their own before the pool opens its connections: SQLite's connections read the
    // statistics when they first read the schema, so the pool's must open after them.
    let mut conn = manager
        .connect()
        .map_err(|e| StoreError::Unavailable(format!("cannot connect to the database: {e}")))?;
    if config.backend == Backend::Sqlite {
        // WAL lets readers run beside the writer. Switching needs the file to itself.
        conn.batch_execute("PRAGMA journal_mode = WAL;")
            .map_err(|e| {
                StoreError::Unavailable(format!("cannot switch {} to WAL: {e}", config.url))
            })?;
    }
    let applied = run_migrations(&mut conn)?;
    if config.backend == Backend::Sqlite {
        let started = Instant::now();
        match gather_statistics(&mut conn) {
            Ok(()) => log::debug!(
                "the planner's statistics checked in {:.1} s",
                started.elapsed().as_secs_f64()
            ),
            Err(e) => log::warn!("gathering the query planner's statistics failed: {e}"),
        }
    }
    drop(conn);
    // No round trip to test a connection at each checkout: a broken one shows itself by its
    // error, and r2d2 drops it when it comes back broken.
    let pool = r2d2::Pool::builder()
        .max_size(config.pool_size)
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(10))
        .build(manager)
        .map_err(|e| StoreError::Unavailable(format!("cannot connect to the database: {e}")))?;
    Ok((pool, applied))
}

/// SQLite only: gathers the query planner's statistics where they are missing or out of date,
/// as SQLite advises for a long-lived database and as PostgreSQL's autovacuum does on its own.
/// A table with rows and no statistics, or grown 25-fold since they were gathered, is analyzed
/// whole (about 3.5 s for a log of 1M points, once); otherwise this only compares sizes.
///
/// Without statistics SQLite guesses, and at 1M points some guesses are ruinous: the report of
/// one meeting counted its points from the status index, all 1M of them (5 s, against 9 ms with
/// statistics). A sample bounded to the first 2,000 entries of each index (`PRAGMA optimize`'s
/// default) is no better: where an index starts with a committee or a status, the sample sees
/// one value and the planner takes it for a selective one.
///
/// Run at startup, before the pool opens its connections, and after every
/// [`WRITES_PER_STATISTICS`]th write in the writers' turn. A connection reads the statistics
/// when it first reads the schema, so statistics gathered later reach the pool's connections as
/// r2d2 replaces them (every 30 minutes).
pub fn gather_statistics(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    // 0x10000: every table, not only those this connection has used; 0x02: analyze where
    // needed. Without 0x10 the analysis reads whole indexes (`analysis_limit` is 0).
    conn.batch_execute("PRAGMA optimize = 0x10002")
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

/// How long a PostgreSQL statement waits for a lock (a writer for its turn) unless the operator
/// set `lock_timeout` otherwise.
pub const POSTGRES_LOCK_TIMEOUT_MS: u64 = 10_000;

/// The key of the advisory lock that PostgreSQL writers take turns on ("vedtak" in ASCII).
const WRITE_LOCK_KEY: i64 = 0x7665_6474_616b;

/// Runs `f` in a transaction that holds the database's one write lock from its start, so that
/// writers take turns on both backends alike and a read-then-write never works from a stale
/// read. On SQLite that is `BEGIN IMMEDIATE`; on PostgreSQL a transaction-scoped advisory lock.
/// A secretariat writes a few times a minute: taking turns costs nothing there, and it rules
/// out lost updates and half-seen changes without retry loops. Reads never wait for it.
///
/// Within its turn the write takes its change time from the database's change clock
/// ([`advance_change_clock`]); [`super::now`] answers it for the whole write.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let sqlite = matches!(conn, DbConnection::Sqlite(_));
    let turn = if sqlite && !in_transaction(conn).map_err(E::from)? {
        current_write_turn()
    } else {
        None
    };
    let result = {
        let _turn = turn.as_ref().map(WriteTurn::take);
        run_in_transaction(conn, "BEGIN IMMEDIATE", "BEGIN", Some(WRITE_LOCK_KEY), f)
    };
    let due = match (&result, &turn) {
        (Ok(_), Some(turn)) => turn.count_write(),
        _ => Upkeep::default(),
    };
    if due.checkpoint {
        // Copies the log's last writes into the file after this writer's turn, so that the
        // next writer does not wait for it; a checkpoint that cannot finish now (a reader
        // still reads old pages) is finished by a later one.
        if let Err(e) = conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE)") {
            log::warn!("checkpoint of the write-ahead log failed: {e}");
        }
    }
    if due.statistics
        && let Err(e) = gather_statistics(conn)
    {
        log::warn!("gathering the query planner's statistics failed: {e}");
    }
    result
}

/// What a writer does after its turn, besides its own write.
#[derive(Debug, Default)]
struct Upkeep {
    checkpoint: bool,
    statistics: bool,
}

/// How many writes in a turn pass between two checkpoints of SQLite's write-ahead log (about
/// 16 MB of log for status changes, some fifteen pages each). SQLite's own checkpoint, at 1,000
/// pages in the commit of whichever write crosses it, came every 60-70 status changes inside
/// the writers' turn, and each grew the file, so that every connection mapped it anew. Status
/// changes from 6 clients, 10k / 100k points: 465 / 403 a second with SQLite's, 623-667 /
/// 507-562 with this. Writers outside the turn (the command line) still checkpoint at 10,000
/// pages (`wal_autocheckpoint`).
const WRITES_PER_CHECKPOINT: u32 = 256;

/// How many writes in a turn pass between two checks of the planner's statistics
/// ([`gather_statistics`]): a log that started empty gets them soon after its first points, and
/// again as it grows. A check that finds nothing to do compares table sizes only.
const WRITES_PER_STATISTICS: u32 = 1_024;

/// The turn that the writers of one SQLite database in this process take before `BEGIN
/// IMMEDIATE`. SQLite lets a writer that finds the database locked sleep and try again, up to
/// 100 ms at a time however soon the lock is free, so writers that queue on SQLite itself wait
/// out those sleeps (p99 of a status change from 6 clients: 0.3-0.4 s); on this lock the next
/// writer starts as soon as the last one commits. Writers of other processes (the command
/// line) still wait on SQLite's busy timeout.
#[derive(Debug, Clone, Default)]
pub struct WriteTurn(std::sync::Arc<(std::sync::Mutex<()>, std::sync::atomic::AtomicU32)>);

thread_local! {
    /// The write turn of the store whose work runs on this thread, if any.
    static WRITE_TURN: std::cell::RefCell<Option<WriteTurn>> = const { std::cell::RefCell::new(None) };
}

fn current_write_turn() -> Option<WriteTurn> {
    WRITE_TURN.with(|turn| turn.borrow().clone())
}

impl WriteTurn {
    fn take(&self) -> std::sync::MutexGuard<'_, ()> {
        // A writer that panicked held nothing that needs repair: its transaction rolled back.
        self.0
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Counts a write done in this turn: a checkpoint is due after every
    /// [`WRITES_PER_CHECKPOINT`]th, the statistics after every [`WRITES_PER_STATISTICS`]th.
    fn count_write(&self) -> Upkeep {
        let written = self
            .0
            .1
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .wrapping_add(1);
        Upkeep {
            checkpoint: written.is_multiple_of(WRITES_PER_CHECKPOINT),
            statistics: written.is_multiple_of(WRITES_PER_STATISTICS),
        }
    }

    /// Runs `work` with this as the turn its write transactions take on this thread.
    pub(crate) fn around<T>(&self, work: impl FnOnce() -> T) -> T {
        struct Restore(Option<WriteTurn>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let previous = self.0.take();
                WRITE_TURN.with(|turn| *turn.borrow_mut() = previous);
            }
        }
        let _restore = Restore(WRITE_TURN.with(|turn| turn.replace(Some(self.clone()))));
        work()
    }
}

thread_local! {
    /// The change time of the write transaction running on this thread, if any. A write runs
    /// start to end on one blocking thread, so every record it touches gets the same time.
    static CHANGE_TIME: std::cell::Cell<Option<NaiveDateTime>> = const { std::cell::Cell::new(None) };
}

/// The change time of the write in progress on this thread.
pub(crate) fn change_time() -> Option<NaiveDateTime> {
    CHANGE_TIME.with(std::cell::Cell::get)
}

/// Sets the change time for the rest of a write; the previous one comes back when dropped.
struct ChangeTimeScope(Option<NaiveDateTime>);

impl ChangeTimeScope {
    fn enter(at: NaiveDateTime) -> Self {
        Self(CHANGE_TIME.with(|time| time.replace(Some(at))))
    }
}

impl Drop for ChangeTimeScope {
    fn drop(&mut self) {
        CHANGE_TIME.with(|time| time.set(self.0));
    }
}

/// Moves the database's change clock on and returns the new time: the later of the clock and
/// a microsecond after the last change. Called inside the writers' turn, it gives changes
/// times in the order they commit, also when several service instances write to one
/// PostgreSQL database and their clocks disagree (PostgreSQL's clock is the one used there),
/// and also after a clock is set back. Mirrors poll by these times, so a change stamped
/// earlier than one they have already seen would be lost to them.
fn advance_change_clock(conn: &mut DbConnection) -> diesel::QueryResult<NaiveDateTime> {
    use super::schema::change_clock;
    match conn {
        DbConnection::Postgres(pg) => prepared::sql(
            "UPDATE change_clock SET last_change = GREATEST( \
               last_change + interval '1 microsecond', \
               clock_timestamp() AT TIME ZONE 'UTC') \
             WHERE id = 1 RETURNING last_change",
        )
        .get_result::<ClockRow>(pg)
        .map(|row| row.last_change),
        DbConnection::Sqlite(sqlite) => {
            let last: NaiveDateTime = change_clock::table
                .find(1)
                .select(change_clock::last_change)
                .get_result(sqlite)?;
            let at = super::clock_now().max(last + chrono::TimeDelta::microseconds(1));
            prepared::update(
                change_clock::table,
                change_clock::id.eq(1),
                change_clock::last_change.eq(at),
            )
            .execute(sqlite)?;
            Ok(at)
        }
    }
}

#[derive(diesel::QueryableByName)]
struct ClockRow {
    #[diesel(sql_type = diesel::sql_types::Timestamp)]
    last_change: NaiveDateTime,
}

/// Runs `f` in a transaction that reads one snapshot of the database, so that a list and its
/// count agree even while others write.
pub fn read_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    run_in_transaction(
        conn,
        "BEGIN",
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        None,
        f,
    )
}

fn run_in_transaction<T, E, F>(
    conn: &mut DbConnection,
    sqlite_begin: &str,
    postgres_begin: &str,
    postgres_lock: Option<i64>,
    f: F,
) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    // Inside a transaction already (an import writes a meeting's cases and points through the
    // same store functions as the API), the work runs in a savepoint of the outer one: it
    // holds the lock and the snapshot already, and its failure leaves the outer one usable.
    if in_transaction(conn)? {
        match conn {
            DbConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction(c)?,
            DbConnection::Postgres(c) => AnsiTransactionManager::begin_transaction(c)?,
        }
        return finish(conn, f);
    }
    match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, sqlite_begin)?,
        DbConnection::Postgres(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, postgres_begin)?;
            if let Some(key) = postgres_lock
                && let Err(error) = c.batch_execute(&format!("SELECT pg_advisory_xact_lock({key})"))
            {
                let _ = AnsiTransactionManager::rollback_transaction(c);
                return Err(error.into());
            }
        }
    }
    if postgres_lock.is_none() {
        return finish(conn, f);
    }
    // A write (the one kind that takes the lock) gets its change time now, inside its turn; a
    // failure to take it rolls back like any other.
    finish(conn, |conn| {
        let at = advance_change_clock(conn).map_err(E::from)?;
        let _scope = ChangeTimeScope::enter(at);
        f(conn)
    })
}

fn in_transaction(conn: &mut DbConnection) -> diesel::QueryResult<bool> {
    let depth = match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()?
        }
        DbConnection::Postgres(c) => {
            AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()?
        }
    };
    Ok(depth.is_some())
}

/// Runs `f` in the transaction (or savepoint) just begun, and commits or rolls back.
fn finish<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
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

#[cfg(test)]
mod tests {
    use diesel::sql_types::Integer;

    use super::*;

    #[derive(diesel::QueryableByName)]
    struct Checkpoint {
        #[diesel(sql_type = Integer)]
        log: i32,
    }

    /// The frames in the write-ahead log since it last started over, as a passive checkpoint
    /// reports them (it copies them too, so a case reads this once, at its end).
    fn log_frames(conn: &mut DbConnection) -> i32 {
        diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)")
            .get_result::<Checkpoint>(conn)
            .expect("a checkpoint")
            .log
    }

    /// The frames in the log after this many writes to a new SQLite log, in a turn or not.
    fn frames_after(writes: u32, in_turn: bool) -> i32 {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("log.sqlite3");
        let config = DatabaseConfig::from_url(path.to_str()).expect("a SQLite path");
        let (pool, _) = connect(&config).expect("a database");
        let mut conn = pool.get().expect("a connection");
        log_frames(&mut conn);
        let turn = WriteTurn::default();
        let mut write_all = || {
            for _ in 0..writes {
                // Every write advances the change clock: a page of the log at least.
                write_transaction(&mut conn, |_| Ok::<_, StoreError>(())).expect("a write");
            }
        };
        if in_turn {
            turn.around(write_all);
        } else {
            write_all();
        }
        log_frames(&mut conn)
    }

    #[test]
    fn writers_in_turn_checkpoint_the_log_after_every_256th_write() {
        let outside = frames_after(WRITES_PER_CHECKPOINT + 1, false);
        assert!(
            outside > i32::try_from(WRITES_PER_CHECKPOINT).unwrap(),
            "without a turn, only SQLite's own checkpoint at 10,000 pages: {outside} frames"
        );
        let before = frames_after(WRITES_PER_CHECKPOINT - 1, true);
        assert!(
            before >= i32::try_from(WRITES_PER_CHECKPOINT - 1).unwrap(),
            "no checkpoint before the 256th write: {before} frames"
        );
        // The 256th write checkpointed the log after its commit; the next one started it over.
        let after = frames_after(WRITES_PER_CHECKPOINT + 1, true);
        assert!(after < 10, "the log started over: {after} frames");
    }

    #[test]
    fn the_statistics_are_checked_after_every_1024th_write_and_the_log_checkpointed_after_every_256th()
     {
        let turn = WriteTurn::default();
        let (mut checkpoints, mut statistics) = (Vec::new(), Vec::new());
        for written in 1..=2 * WRITES_PER_STATISTICS {
            let due = turn.count_write();
            if due.checkpoint {
                checkpoints.push(written);
            }
            if due.statistics {
                statistics.push(written);
            }
        }
        assert_eq!(
            statistics,
            [WRITES_PER_STATISTICS, 2 * WRITES_PER_STATISTICS]
        );
        assert_eq!(checkpoints.len(), 8);
        assert_eq!(checkpoints[..2], [256, 512]);
    }

    #[derive(diesel::QueryableByName)]
    struct Statistic {
        #[diesel(sql_type = diesel::sql_types::Text)]
        idx: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        stat: String,
    }

    fn statistics_of(conn: &mut DbConnection, table: &str) -> Vec<(String, String)> {
        diesel::sql_query(format!(
            "SELECT idx, stat FROM sqlite_stat1 WHERE tbl = '{table}' AND idx IS NOT NULL ORDER BY idx"
        ))
        .load::<Statistic>(conn)
        .unwrap_or_default()
        .into_iter()
        .map(|s| (s.idx, s.stat))
        .collect()
    }

    #[test]
    fn a_log_that_started_empty_gets_statistics_once_it_has_rows() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("log.sqlite3");
        let config = DatabaseConfig::from_url(path.to_str()).expect("a SQLite path");
        let (pool, _) = connect(&config).expect("a database");
        let mut conn = pool.get().expect("a connection");
        let empty = statistics_of(&mut conn, "committees");
        conn.batch_execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) \
             INSERT INTO committees (id, code, name, created_at, updated_at, updated_by) \
             SELECT 'c' || i, 'K' || i, 'Utvalg ' || i, '2026-12-02 10:00:00', \
             '2026-12-02 10:00:00', 'test' FROM n",
        )
        .expect("500 committees");
        gather_statistics(&mut conn).expect("statistics");
        let grown = statistics_of(&mut conn, "committees");
        assert!(
            grown
                .iter()
                .any(|(idx, stat)| idx == "committees_code_idx" && stat.starts_with("500 1")),
            "the unique code index of 500 rows is analyzed: {grown:?} (at startup: {empty:?})"
        );
        // A second check with nothing grown leaves them as they are.
        gather_statistics(&mut conn).expect("statistics");
        assert_eq!(statistics_of(&mut conn, "committees"), grown);
    }
}
