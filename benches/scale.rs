//! The log at scale: a seeded generator fills a fresh database with 10k, 100k or 1M decision
//! points of a realistic shape, and the REAL HTTP server (the app of `startup.rs`, on
//! 127.0.0.1 and a free port) is driven by concurrent keep-alive clients.
//!
//!     cargo bench --bench scale
//!     SCALE_SIZES=10000,100000,1000000 SCALE_BACKEND=both SCALE_SECONDS=10 \
//!         VEDTAKSLOGG_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench scale
//!
//! Settings (environment):
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `SCALE_SIZES` | `10000,100000` | decision points of each log, comma-separated |
//! | `SCALE_BACKEND` | `sqlite`, and `postgres` too when the URL below is set | `sqlite`, `postgres` or `both` |
//! | `VEDTAKSLOGG_TEST_POSTGRES_URL` | unset | the PostgreSQL server; each log gets a schema of its own, dropped afterwards |
//! | `SCALE_SECONDS` | `5` | how long each scenario runs |
//! | `SCALE_CONNECTIONS` | `16` | concurrent keep-alive connections |
//! | `SCALE_ONLY` | all | run only the scenarios whose name contains one of these comma-separated words |
//! | `SCALE_KEEP` | unset | keep the database (the SQLite file or the PostgreSQL schema) and print where it is |
//! | `RUST_LOG` | unset | log of the server (`error` shows why a request failed) |
//!
//! The generator writes with bulk multi-row INSERTs in one transaction (not through the store,
//! which would take hours for 1M points): committees ASU, AU and PM; a meeting for every ~250
//! points and a case for every ~25, numbered NN/YY per committee and year, with Norwegian
//! titles and narratives; decision points of every kind with Norwegian texts ("kommune" or
//! "kommunene" in about two thirds, a rare word in ten), ~15% open, deadlines over 2023-2027,
//! one or two owners from the registry (filled up to ~30 owners), and chains of `follows_up`
//! links. Then the search index is filled and the statistics gathered (on SQLite as the
//! service gathers them, `PRAGMA optimize`; on PostgreSQL `VACUUM ANALYZE`, as autovacuum would),
//! and the store is opened again, as a server started on the log opens it.
//!
//! Every scenario prints requests per second and the p50 and p99 latency; any answer that is
//! not 2xx is a failure, printed loudly with its body. The list query is also run straight on
//! the database (2 threads, connections of their own) to compare the service with the
//! database's own rate. At the end comes a markdown table per backend.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use actix_web::HttpServer;
use awc::http::{Method, header};
use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Integer, Nullable, Text, Timestamp};
use diesel::{PgConnection, SqliteConnection};
use vedtakslogg::api::auth::AccessSettings;
use vedtakslogg::config::{Backend, DatabaseConfig};
use vedtakslogg::domain::{Position, Role, fold};
use vedtakslogg::store::schema::{owner_aliases, owners};
use vedtakslogg::store::tokens::{self, NewToken};
use vedtakslogg::store::{DbConnection, Store, StoreError};

const POSTGRES_URL_VAR: &str = "VEDTAKSLOGG_TEST_POSTGRES_URL";
const SEED: u64 = 0x5EED_2024_0619;
const ACTOR: &str = "scale-bench";
/// Rows of one multi-row INSERT.
const BATCH_ROWS: usize = 1000;
/// Points that a PATCH scenario may change, at most.
const PATCH_TARGETS: usize = 6400;
/// The rare word, in ten points, and the query that finds it (as the start of the word).
const RARE_WORD: &str = "snøskuterberedskapen";
const RARE_QUERY: &str = "snøskuterberedskap";
/// The date of the meeting the follow-up list is asked for.
const NEXT_MEETING: &str = "2026-12-03";
/// The minutes imported (dry run) by the import scenario.
const MINUTES: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/asu-2024-06-19-referat.txt"
));
/// What the minutes create, which the generated log leaves free so that the dry run does the
/// same work at every size: ASU's meeting of 19.06.2024 and its cases 18/24 to 26/24.
const MINUTES_DATE: (i32, u32, u32) = (2024, 6, 19);
const MINUTES_SERIALS: std::ops::RangeInclusive<i32> = 18..=26;

// ---------------------------------------------------------------------------------------------
// A seeded PRNG (splitmix64): the same seed makes the same log.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in 0..n (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in lo..=hi.
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// A number in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn uuid(&mut self) -> String {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }
}

/// Splits `total` into `parts` counts of at least 1 each, of varying size.
fn partition(rng: &mut Rng, total: usize, parts: usize) -> Vec<usize> {
    assert!(parts > 0 && total >= parts, "{total} into {parts} parts");
    let weights: Vec<f64> = (0..parts).map(|_| 0.4 + rng.unit() * 1.2).collect();
    let sum: f64 = weights.iter().sum();
    let rest = (total - parts) as f64;
    let mut counts: Vec<usize> = weights
        .iter()
        .map(|w| 1 + (rest * w / sum) as usize)
        .collect();
    let mut assigned: usize = counts.iter().sum();
    while assigned < total {
        counts[rng.below(parts)] += 1;
        assigned += 1;
    }
    counts
}

// ---------------------------------------------------------------------------------------------
// The words of the generated log.

struct CommitteeSpec {
    code: &'static str,
    name: &'static str,
    /// The committee's share of the meetings.
    share: f64,
}

const COMMITTEES: [CommitteeSpec; 3] = [
    CommitteeSpec {
        code: "ASU",
        name: "Administrativt samarbeidsutvalg",
        share: 0.6,
    },
    CommitteeSpec {
        code: "AU",
        name: "Arbeidsutvalget",
        share: 0.3,
    },
    CommitteeSpec {
        code: "PM",
        name: "Partnerskapsmøtet",
        share: 0.1,
    },
];

/// Owners added to the registry of the migrations (15), with their kind and other spellings.
const EXTRA_OWNERS: &[(&str, &str, &[&str])] = &[
    ("Kvalitetsgruppen", "body", &["Kvalitetsgruppa"]),
    ("Styringsgruppen", "body", &["Styringsgruppa"]),
    ("Økonomigruppen", "body", &["Økonomigruppa"]),
    ("Brukerrådet", "body", &[]),
    ("Fastlegeutvalget", "body", &[]),
    ("Legevaktsrådet", "body", &[]),
    ("Helse Midt-Norge RHF", "party", &["HMN"]),
    ("Trondheim kommune", "party", &[]),
    (
        "Statsforvalteren i Trøndelag",
        "party",
        &["Statsforvalteren"],
    ),
    ("Ingjerd Astad", "person", &[]),
    ("Merete Blokkum", "person", &[]),
    ("Karina Haus Steinshylla", "person", &[]),
    ("Albert Verhagen", "person", &[]),
    ("Tone Shetelig Løvvik", "person", &[]),
    ("Paul Georg Skogen", "person", &[]),
];
const TARGET_OWNERS: usize = 30;

const PERSONS: &[&str] = &[
    "Ingjerd Astad",
    "Merete Blokkum",
    "Albert Verhagen",
    "Jan Roger Wold",
    "Leif Vonen",
    "Tone Shetelig Løvvik",
    "Britt-Elin Lurud",
    "Paul Georg Skogen",
    "Karina Haus Steinshylla",
    "Trine Wigtil",
];

const LOCATIONS: &[&str] = &[
    "1930 M11",
    "Teams",
    "Scandic Nidelven",
    "Øya helsehus",
    "Rådhuset, Orkanger",
];

const TOPICS: &[&str] = &[
    "handlingsplan 2022-2024 i helsefellesskapet",
    "utskrivningsklare pasienter",
    "digital samhandling og velferdsteknologi",
    "legevaktsamarbeid",
    "psykisk helse og rus",
    "barn og unge",
    "skrøpelige eldre",
    "e-læring for helsepersonell",
    "kompetanseløft i helse og omsorg",
    "tjenesteavtale 2 om innleggelse",
    "ambulansetjenesten",
    "felles kvalitetsindikatorer",
    "pasientsikkerhet og avvik",
    "helseberedskap",
    "økonomisk samarbeid mellom partene",
    "rekruttering av fastleger",
    "årsrapport for helsefellesskapet",
    "habilitering og rehabilitering",
    "brukermedvirkning",
    "ventetider i spesialisthelsetjenesten",
    "hjemmesykehus for barn",
    "felles journal og kjernejournal",
    "ernæring og måltider i institusjon",
    "legemiddelsamstemming",
    "tolketjeneste",
];

const TITLE_PREFIXES: &[&str] = &[
    "Status for",
    "Orientering om",
    "Plan for",
    "Evaluering av",
    "Høring om",
    "Revisjon av avtalen om",
    "Rapport om",
    "Prioriteringer for",
];

const OBJECTS: &[&str] = &[
    "en plan for videre arbeid",
    "et forslag til revidert tjenesteavtale",
    "en statusrapport",
    "et notat om økonomiske konsekvenser",
    "en felles rutine",
    "et forslag til mandat",
    "en oversikt over ventetider",
    "en evaluering av tiltakene",
    "en kommunikasjonsplan",
    "et høringssvar",
    "en risikovurdering",
    "en opplæringsplan med e-læringskurs",
    "en oppdatert handlingsplan",
    "en analyse av pasientstrømmer",
    "et forslag til prioriteringer",
    "en veileder for pasientforløp",
    "en samlet oversikt over avvik",
    "en plan for brukermedvirkning",
];

const ACTIONS: &[&str] = &[
    "utarbeide",
    "legge fram",
    "ferdigstille",
    "revidere",
    "innhente innspill til",
    "følge opp",
];

const RECOMMENDATIONS: &[&str] = &[
    "at partene slutter seg til",
    "at styringsgruppen prioriterer",
    "at det etableres et felles prosjekt om",
    "at fagrådet får ansvar for",
    "at det søkes midler til",
];

/// Every one says "kommune" or "kommunene".
const KOMMUNE_CLAUSES: &[&str] = &[
    " i samarbeid med kommunene",
    " for alle kommunene i helsefellesskapet",
    " med innspill fra hver kommune",
    " sammen med Trondheim kommune",
    " i kommunene og ved St. Olavs hospital",
    " i dialog med kommunene og sykehuset",
];

const EXTRA_SENTENCES: &[&str] = &[
    " Arbeidet skal kunne fremlegges ved ønske/behov.",
    " Tilbakemelding gis til AU.",
    " Fagrådene involveres i arbeidet.",
    " Brukerrepresentantene skal delta.",
    " Status rapporteres jevnlig til sekretariatet.",
    " Se også vedtak i tidligere sak.",
];

const MONTHS: &[&str] = &[
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
];

const IN_PROGRESS_NOTES: &[&str] = &[
    "Arbeidet er i gang",
    "Første utkast lagt fram for AU",
    "Venter på innspill fra kommunene",
    "Arbeidsgruppe er nedsatt",
];
const DONE_NOTES: &[&str] = &[
    "Fullført og rapportert til ASU",
    "Vedtatt i alle kommunestyrene",
    "Levert til fristen",
];
const CANCELLED_NOTES: &[&str] = &[
    "Avlyst: erstattet av nytt vedtak",
    "Avlyst: tiltaket er ikke lenger aktuelt",
    "Avlyst: overført til Helse Midt-Norge",
];

// ---------------------------------------------------------------------------------------------
// SQL literals.

fn lit(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

fn opt_lit(value: Option<&str>) -> String {
    value.map_or_else(|| "NULL".to_owned(), lit)
}

fn ts(at: NaiveDateTime) -> String {
    format!("'{}'", at.format("%Y-%m-%d %H:%M:%S"))
}

fn at_time(date: NaiveDate, hour: u32) -> NaiveDateTime {
    date.and_time(NaiveTime::from_hms_opt(hour, 0, 0).expect("a time"))
}

/// Rows of one table, sent as multi-row INSERT statements of [`BATCH_ROWS`] rows.
struct Bulk {
    head: String,
    sql: String,
    rows: usize,
}

impl Bulk {
    fn new(table: &str, columns: &str) -> Self {
        Bulk {
            head: format!("INSERT INTO {table} ({columns}) VALUES\n"),
            sql: String::new(),
            rows: 0,
        }
    }

    fn push(&mut self, values: &str) {
        if self.rows == 0 {
            self.sql.push_str(&self.head);
        } else {
            self.sql.push_str(",\n");
        }
        self.sql.push('(');
        self.sql.push_str(values);
        self.sql.push(')');
        self.rows += 1;
    }

    fn full(&self) -> bool {
        self.rows >= BATCH_ROWS
    }

    fn flush(&mut self, conn: &mut DbConnection) -> QueryResult<()> {
        if self.rows > 0 {
            conn.batch_execute(&self.sql)?;
            self.sql.clear();
            self.rows = 0;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The generator.

/// What the scenarios need to know of a generated log.
struct Dataset {
    points: usize,
    meetings: usize,
    cases: usize,
    links: usize,
    /// Of the links, the postponed cases taken up at a later meeting (`postponed_to`).
    taken_up: usize,
    owners: usize,
    open: usize,
    with_common_word: usize,
    with_rare_word: usize,
    generation: Duration,
    /// ASU's case numbers as written in URLs ("31-23").
    asu_cases: Vec<String>,
    /// ASU cases in a chain of two or more.
    chain_cases: Vec<String>,
    asu_meeting_dates: Vec<NaiveDate>,
    owner_names: Vec<String>,
    /// Open or in-progress follow-up points: (id, open).
    patch_targets: Vec<(String, bool)>,
}

struct Meeting {
    id: String,
    date: NaiveDate,
}

struct Case {
    id: String,
    committee: usize,
    year: i32,
    serial: i32,
    title: String,
    topic: &'static str,
    postponed: bool,
    /// The number ("12/24") of the case a postponed case was taken up and decided in.
    taken_up_in: Option<String>,
    public: bool,
    created: NaiveDateTime,
}

/// A matter followed from case to case: its last case, length and the length it stops at.
struct Chain {
    last: usize,
    len: usize,
    stop_at: usize,
}

/// The SQLite full-text index of the decision points, filled from `decisions.search_text`
/// after the bulk insert.
///
/// SWITCH ME: when `vedtakslogg::store::search_index::rebuild(&mut conn)` exists, call it
/// here instead of the statements below. Until then this fills whichever layout the
/// migrations made: the FTS5 table `decision_search (decision_id, body)` of migration
/// 2026-11-23-000004, or the content table `decision_search_docs` (whose triggers fill the
/// FTS5 index) of the indexed-lists migration. PostgreSQL's search vector is a generated
/// column: nothing to do there.
fn fill_search_index(conn: &mut DbConnection) -> QueryResult<()> {
    let DbConnection::Sqlite(sqlite) = conn else {
        return Ok(());
    };
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let docs: Found = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'decision_search_docs'",
    )
    .get_result(sqlite)?;
    if docs.n > 0 {
        // Merged into one segment afterwards, as migration 000019 leaves a migrated log.
        sqlite.batch_execute(
            "INSERT INTO decision_search_docs (decision_id, body) \
             SELECT id, search_text FROM decisions WHERE deleted_at IS NULL; \
             INSERT INTO decision_search (decision_search) VALUES ('optimize');",
        )
    } else {
        sqlite.batch_execute(
            "INSERT INTO decision_search (decision_id, body) \
             SELECT id, search_text FROM decisions WHERE deleted_at IS NULL",
        )
    }
}

fn generate(store: &Store, points: usize) -> Dataset {
    let started = Instant::now();
    let mut data = store
        .run_blocking(|conn| {
            // A bigger page cache for the load (per connection; set back below).
            if let DbConnection::Sqlite(_) = conn {
                conn.batch_execute("PRAGMA cache_size = -262144")?;
            }
            // PostgreSQL loads with its triggers off (the tallies are counted once after; see
            // `recount_tallies`); that takes a superuser, as the test server's `postgres` is.
            let postgres = matches!(conn, DbConnection::Postgres(_));
            if postgres {
                conn.batch_execute("SET session_replication_role = replica")?;
            }
            let data = conn.transaction(|conn| generate_in(conn, points))?;
            if postgres {
                conn.batch_execute("SET session_replication_role = DEFAULT")?;
                vedtakslogg::store::overview::recount_tallies(conn)?;
                vedtakslogg::store::owners::refill_open_work(conn)?;
            }
            fill_search_index(conn)?;
            match conn {
                DbConnection::Sqlite(_) => {
                    // The statistics the service gathers itself (at its start and as the log
                    // grows); the server below opens its connections after them.
                    vedtakslogg::store::gather_statistics(conn)?;
                    conn.batch_execute(
                        "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA cache_size = -2000;",
                    )?;
                }
                DbConnection::Postgres(_) => {
                    // Our tables only: a plain ANALYZE would visit every schema of the database.
                    for table in vedtakslogg::store::schema::TABLES {
                        conn.batch_execute(&format!("VACUUM (ANALYZE) {table}"))?;
                    }
                }
            }
            Ok::<_, StoreError>(data)
        })
        .unwrap_or_else(|e| panic!("generating {points} points failed: {e}"));
    data.generation = started.elapsed();
    data
}

fn generate_in(conn: &mut DbConnection, points: usize) -> Result<Dataset, StoreError> {
    let mut rng = Rng::new(SEED ^ points as u64);
    let mut sample_rng = Rng::new(SEED.rotate_left(17) ^ points as u64);
    let now = Utc::now().naive_utc();
    let created = ts(now);

    // Committees.
    let mut committee_ids = Vec::new();
    let mut bulk = Bulk::new(
        "committees",
        "id, code, name, created_at, updated_at, version, updated_by",
    );
    for spec in &COMMITTEES {
        let id = rng.uuid();
        bulk.push(&format!(
            "{}, {}, {}, {created}, {created}, 1, {}",
            lit(&id),
            lit(spec.code),
            lit(spec.name),
            lit(ACTOR)
        ));
        committee_ids.push(id);
    }
    bulk.flush(conn)?;

    // Owners: the registry of the migrations, filled up to about 30.
    let existing: Vec<(String, String)> = owners::table
        .filter(owners::deleted_at.is_null())
        .select((owners::id, owners::name))
        .load(conn)?;
    let mut taken: HashSet<String> = owner_aliases::table
        .select(owner_aliases::alias_key)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let mut owner_rows = Bulk::new(
        "owners",
        "id, name, kind, created_at, updated_at, version, updated_by",
    );
    let mut alias_rows = Bulk::new("owner_aliases", "alias_key, owner_id, alias");
    let mut count = existing.len();
    for (name, kind, aliases) in EXTRA_OWNERS {
        if count >= TARGET_OWNERS || taken.contains(&fold(name)) {
            continue;
        }
        let id = rng.uuid();
        owner_rows.push(&format!(
            "{}, {}, {}, {created}, {created}, 1, {}",
            lit(&id),
            lit(name),
            lit(kind),
            lit(ACTOR)
        ));
        for spelling in std::iter::once(name).chain(aliases.iter()) {
            let key = fold(spelling);
            if taken.insert(key.clone()) {
                alias_rows.push(&format!("{}, {}, {}", lit(&key), lit(&id), lit(spelling)));
            }
        }
        count += 1;
    }
    owner_rows.flush(conn)?;
    alias_rows.flush(conn)?;
    let mut registry: Vec<(String, String)> = owners::table
        .filter(owners::deleted_at.is_null())
        .select((owners::id, owners::name))
        .load(conn)?;
    registry.sort_by(|a, b| a.1.cmp(&b.1));
    let favourite = |name: &str| registry.iter().position(|(_, n)| n == name);
    let favourites: Vec<(usize, f64)> = [
        ("Sekretariatet", 0.30),
        ("Kommunene", 0.12),
        ("St. Olavs hospital", 0.08),
    ]
    .into_iter()
    .filter_map(|(name, p)| favourite(name).map(|i| (i, p)))
    .collect();
    let pick_owner = |rng: &mut Rng| -> usize {
        let mut r = rng.unit();
        for &(i, p) in &favourites {
            if r < p {
                return i;
            }
            r -= p;
        }
        rng.below(registry.len())
    };

    // Meetings: a share for each committee, spread over 2016-2026 (all held).
    let start = NaiveDate::from_ymd_opt(2016, 1, 4).expect("a date");
    let end = NaiveDate::from_ymd_opt(2026, 10, 31).expect("a date");
    let span = (end - start).num_days().max(1) as u64;
    let (y, m, d) = MINUTES_DATE;
    let minutes_date = NaiveDate::from_ymd_opt(y, m, d).expect("a date");
    let total_meetings = (points / 250).max(COMMITTEES.len());
    let mut meetings: Vec<(usize, Meeting)> = Vec::new();
    let mut meeting_rows = Bulk::new(
        "meetings",
        "id, committee_id, meeting_date, start_time, end_time, location, kind, chair, \
         minute_taker, status, created_at, updated_at, version, updated_by",
    );
    for (c, spec) in COMMITTEES.iter().enumerate() {
        let count = ((total_meetings as f64 * spec.share).round() as usize).max(1);
        let step = (span / count as u64).max(1);
        for k in 0..count as u64 {
            let mut date = start + Days::new(k * step + c as u64);
            if c == 0 && date == minutes_date {
                date = date + Days::new(1);
            }
            let id = rng.uuid();
            let made = at_time(date - Days::new(14), 9);
            meeting_rows.push(&format!(
                "{}, {}, '{date}', '13:00:00', '16:00:00', {}, {}, {}, {}, 'held', {}, {}, 1, {}",
                lit(&id),
                lit(&committee_ids[c]),
                lit(rng.pick::<&str>(LOCATIONS)),
                lit(if rng.chance(0.05) {
                    "extraordinary"
                } else {
                    "ordinary"
                }),
                lit(rng.pick::<&str>(PERSONS)),
                lit(rng.pick::<&str>(PERSONS)),
                ts(made),
                ts(made),
                lit(ACTOR)
            ));
            if meeting_rows.full() {
                meeting_rows.flush(conn)?;
            }
            meetings.push((c, Meeting { id, date }));
        }
    }
    meeting_rows.flush(conn)?;

    // Cases, numbered per committee and year in date order, and the chains between them.
    let total_cases = (points / 25).max(meetings.len());
    let cases_per_meeting = partition(&mut rng, total_cases, meetings.len());
    let mut cases: Vec<Case> = Vec::with_capacity(total_cases);
    let mut serials: HashMap<(usize, i32), i32> = HashMap::new();
    let mut chains: Vec<Vec<Chain>> = (0..COMMITTEES.len()).map(|_| Vec::new()).collect();
    let mut case_rows = Bulk::new(
        "cases",
        "id, committee_id, meeting_id, case_year, case_serial, title, responsible, status, \
         created_at, updated_at, version, updated_by, is_public, narrative",
    );
    // A link is written after its cases are.
    let mut link_values: Vec<String> = Vec::new();
    let mut chain_cases = Vec::new();
    // As a committee does: a case postponed at one meeting is taken up at its next one, as
    // that meeting's first cases; only the last meetings' postponements are still waiting.
    let mut waiting: Vec<Vec<usize>> = (0..COMMITTEES.len()).map(|_| Vec::new()).collect();
    let mut postponed_here: Vec<usize> = Vec::new();
    let mut last_committee: Option<usize> = None;
    for ((c, meeting), &count) in meetings.iter().zip(&cases_per_meeting) {
        // Meetings come a committee at a time, in date order.
        if let Some(previous) = last_committee {
            waiting[previous].append(&mut postponed_here);
        }
        last_committee = Some(*c);
        for _ in 0..count {
            let year = meeting.date.year();
            let serial = serials.entry((*c, year)).or_insert(0);
            *serial += 1;
            if *c == 0 && year == MINUTES_DATE.0 && MINUTES_SERIALS.contains(serial) {
                *serial = MINUTES_SERIALS.end() + 1;
            }
            let serial = *serial;
            let index = cases.len();
            let takes_up = (!waiting[*c].is_empty()).then(|| waiting[*c].remove(0));
            let active = &mut chains[*c];
            // A case follows up a matter of its committee, starts one, or stands alone.
            let follows = if !active.is_empty() && rng.chance(0.35) {
                let j = rng.below(active.len());
                let previous = active[j].last;
                active[j].len += 1;
                active[j].last = index;
                if active[j].len >= active[j].stop_at {
                    active.swap_remove(j);
                }
                Some(previous)
            } else {
                if rng.chance(0.25) {
                    active.push(Chain {
                        last: index,
                        len: 1,
                        stop_at: rng.between(2, 10) as usize,
                    });
                    if active.len() > 40 {
                        active.remove(0);
                    }
                }
                None
            };
            let topic = match (takes_up, follows) {
                (Some(previous), _) | (None, Some(previous)) => cases[previous].topic,
                (None, None) => *rng.pick(TOPICS),
            };
            let title = match (takes_up, follows) {
                (Some(previous), _) => format!(
                    "Utsatt sak {}/{:02}: {topic}",
                    cases[previous].serial,
                    cases[previous].year % 100
                ),
                (None, Some(previous)) => format!(
                    "Oppfølging sak {}/{:02}: {topic}",
                    cases[previous].serial,
                    cases[previous].year % 100
                ),
                (None, None) => format!("{} {topic}", rng.pick(TITLE_PREFIXES)),
            };
            // A case that takes a postponed one up is decided, not postponed again.
            let postponed = takes_up.is_none() && rng.chance(0.03);
            let public = !rng.chance(0.02);
            let narrative = rng.chance(0.8).then(|| {
                let mut text =
                    format!("Saksfremlegg: Sekretariatet har utarbeidet et notat om {topic}.");
                if let Some(previous) = follows {
                    let _ = write!(
                        text,
                        " Det vises til vedtak i sak {}/{:02}.",
                        cases[previous].serial,
                        cases[previous].year % 100
                    );
                }
                if rng.chance(0.6) {
                    text.push_str(" Saken er drøftet med kommunene og St. Olavs hospital.");
                }
                text
            });
            let responsible = if rng.chance(0.3) {
                format!("[\"{}\", \"{}\"]", rng.pick(PERSONS), rng.pick(PERSONS))
            } else {
                format!("[\"{}\"]", rng.pick(PERSONS))
            };
            let id = rng.uuid();
            let made = at_time(meeting.date - Days::new(14), 10);
            case_rows.push(&format!(
                "{}, {}, {}, {year}, {serial}, {}, {}, {}, {}, {}, 1, {}, {}, {}",
                lit(&id),
                lit(&committee_ids[*c]),
                lit(&meeting.id),
                lit(&title),
                lit(&responsible),
                lit(if postponed { "postponed" } else { "decided" }),
                ts(made),
                ts(made),
                lit(ACTOR),
                if public { "TRUE" } else { "FALSE" },
                opt_lit(narrative.as_deref())
            ));
            if case_rows.full() {
                case_rows.flush(conn)?;
            }
            if let Some(previous) = takes_up {
                let source = &cases[previous];
                link_values.push(format!(
                    "{}, {}, 'postponed_to', {}, {year}, {serial}, {}, {}, {}",
                    lit(&rng.uuid()),
                    lit(&source.id),
                    lit(&committee_ids[*c]),
                    lit(&id),
                    ts(made),
                    lit(ACTOR)
                ));
                cases[previous].taken_up_in = Some(format!("{serial}/{:02}", year % 100));
            }
            if postponed {
                postponed_here.push(index);
            }
            if let Some(previous) = follows {
                let target = &cases[previous];
                link_values.push(format!(
                    "{}, {}, 'follows_up', {}, {}, {}, {}, {}, {}",
                    lit(&rng.uuid()),
                    lit(&id),
                    lit(&committee_ids[target.committee]),
                    target.year,
                    target.serial,
                    lit(&target.id),
                    ts(made),
                    lit(ACTOR)
                ));
                if *c == 0 {
                    chain_cases.push(format!("{serial}-{:02}", year % 100));
                }
            }
            cases.push(Case {
                id,
                committee: *c,
                year,
                serial,
                title,
                topic,
                postponed,
                taken_up_in: None,
                public,
                created: made,
            });
        }
    }
    case_rows.flush(conn)?;
    let mut link_rows = Bulk::new(
        "case_links",
        "id, source_case_id, kind, target_committee_id, target_year, target_serial, \
         target_case_id, created_at, created_by",
    );
    for values in &link_values {
        link_rows.push(values);
        if link_rows.full() {
            link_rows.flush(conn)?;
        }
    }
    link_rows.flush(conn)?;
    let links = link_values.len();
    let taken_up = cases.iter().filter(|c| c.taken_up_in.is_some()).count();

    // Decision points, with their owners, streamed in batches.
    let points_per_case = partition(&mut rng, points, cases.len());
    let mut decision_rows = Bulk::new(
        "decisions",
        "id, case_id, position, position_sort, text, kind, deadline, status, status_note, \
         search_text, created_at, updated_at, version, updated_by, is_public, \
         case_committee, case_year, case_serial",
    );
    let mut owner_links = Bulk::new(
        "decision_owners",
        "decision_id, owner_id, responsible, ordinal",
    );
    let deadline_from = NaiveDate::from_ymd_opt(2023, 1, 1).expect("a date");
    let deadline_days =
        (NaiveDate::from_ymd_opt(2027, 12, 31).expect("a date") - deadline_from).num_days() as u64;
    let rare_step = (points / 10).max(1);
    let keep_target = (32_000.0 / points as f64).min(1.0);
    let mut stats = (0usize, 0usize, 0usize); // open, common word, rare word
    let mut patch_targets = Vec::new();
    let mut index = 0usize;
    for (case, &count) in cases.iter().zip(&points_per_case) {
        for p in 1..=count {
            let kind = if p == 1 && case.postponed {
                "postponement"
            } else if p == 1 && rng.chance(0.4) {
                "orientation"
            } else {
                let r = rng.below(100);
                match r {
                    0..15 => "orientation",
                    15..25 => "approval",
                    25..62 => "assignment",
                    62..80 => "recommendation",
                    _ => "scheduling",
                }
            };
            let follow_up = !matches!(kind, "orientation" | "approval");
            let taken_up_note;
            let (status, note): (&str, Option<&str>) = if kind == "postponement" {
                // As the store closes a postponement whose case is taken up and decided.
                match &case.taken_up_in {
                    Some(number) => {
                        taken_up_note = format!("Tatt opp og vedtatt i sak {number}");
                        ("done", Some(taken_up_note.as_str()))
                    }
                    None => ("open", None),
                }
            } else if !follow_up {
                ("done", None)
            } else {
                let r = rng.unit();
                if r < 0.215 {
                    ("open", None)
                } else if r < 0.30 {
                    ("in_progress", Some(*rng.pick(IN_PROGRESS_NOTES)))
                } else if r < 0.35 {
                    ("cancelled", Some(*rng.pick(CANCELLED_NOTES)))
                } else {
                    ("done", rng.chance(0.4).then(|| *rng.pick(DONE_NOTES)))
                }
            };
            let deadline = (follow_up && kind != "postponement" && rng.chance(0.85))
                .then(|| deadline_from + Days::new(rng.between(0, deadline_days)));
            // One or two owners; with two, the first is the one responsible.
            let first = pick_owner(&mut rng);
            let mut point_owners = vec![first];
            if rng.chance(0.3) {
                let second = pick_owner(&mut rng);
                if second != first {
                    point_owners.push(second);
                }
            }
            let kommune = rng.chance(2.0 / 3.0).then(|| *rng.pick(KOMMUNE_CLAUSES));
            let rare = index % rare_step == rare_step / 2;
            let text = point_text(
                &mut rng,
                kind,
                &registry[first].1,
                case.topic,
                kommune,
                rare,
            );
            if text.contains("kommune") {
                stats.1 += 1;
            }
            if rare {
                stats.2 += 1;
            }
            if status == "open" {
                stats.0 += 1;
            }
            // As the store's refresh_search_text makes it.
            let mut parts: Vec<&str> = vec![&text, note.unwrap_or_default(), &case.title];
            parts.extend(point_owners.iter().map(|&o| registry[o].1.as_str()));
            parts.retain(|part| !part.trim().is_empty());
            let search_text = parts.join(" · ").replace('/', " / ");
            let made = case.created + Days::new(15);
            let updated = if status == "open" {
                made
            } else {
                (made + Days::new(rng.between(1, 400))).min(now)
            };
            let position: Position = p.to_string().parse().expect("a position");
            let id = rng.uuid();
            decision_rows.push(&format!(
                "{}, {}, '{p}', {}, {}, '{kind}', {}, '{status}', {}, {}, {}, {}, 1, {}, {}, {}, {}, {}",
                lit(&id),
                lit(&case.id),
                position.sort_key(),
                lit(&text),
                deadline.map_or_else(|| "NULL".to_owned(), |d| format!("'{d}'")),
                opt_lit(note),
                lit(&search_text),
                ts(made),
                ts(updated),
                lit(ACTOR),
                if case.public { "TRUE" } else { "FALSE" },
                lit(COMMITTEES[case.committee].code),
                case.year,
                case.serial,
            ));
            let two = point_owners.len() > 1;
            for (ordinal, &o) in point_owners.iter().enumerate() {
                owner_links.push(&format!(
                    "{}, {}, {}, {ordinal}",
                    lit(&id),
                    lit(&registry[o].0),
                    if two && ordinal == 0 { "TRUE" } else { "FALSE" }
                ));
            }
            if follow_up
                && kind != "postponement"
                && matches!(status, "open" | "in_progress")
                && patch_targets.len() < PATCH_TARGETS
                && sample_rng.chance(keep_target)
                // The pages are read without signing in (public reading): public points only.
                && case.public
            {
                patch_targets.push((id, status == "open"));
            }
            if decision_rows.full() {
                decision_rows.flush(conn)?;
                owner_links.flush(conn)?;
            }
            index += 1;
        }
    }
    decision_rows.flush(conn)?;
    owner_links.flush(conn)?;

    let asu_cases = cases
        .iter()
        .filter(|c| c.committee == 0 && c.public)
        .map(|c| format!("{}-{:02}", c.serial, c.year % 100))
        .collect();
    let asu_meeting_dates = meetings
        .iter()
        .filter(|(c, _)| *c == 0)
        .map(|(_, m)| m.date)
        .collect();
    // Shuffle the targets, so that each client's share is spread over the log.
    for i in (1..patch_targets.len()).rev() {
        let j = sample_rng.below(i + 1);
        patch_targets.swap(i, j);
    }
    Ok(Dataset {
        points,
        meetings: meetings.len(),
        cases: cases.len(),
        links,
        taken_up,
        owners: registry.len(),
        open: stats.0,
        with_common_word: stats.1,
        with_rare_word: stats.2,
        generation: Duration::ZERO,
        asu_cases,
        chain_cases,
        asu_meeting_dates,
        owner_names: registry.into_iter().map(|(_, name)| name).collect(),
        patch_targets,
    })
}

fn point_text(
    rng: &mut Rng,
    kind: &str,
    owner: &str,
    topic: &str,
    kommune: Option<&str>,
    rare: bool,
) -> String {
    let kommune = kommune.unwrap_or_default();
    let mut text = match kind {
        "orientation" => format!("ASU tar orienteringen om {topic} til etterretning{kommune}."),
        "approval" => format!("ASU godkjenner {} om {topic}{kommune}.", rng.pick(OBJECTS)),
        "recommendation" => format!(
            "ASU anbefaler {} arbeidet med {topic}{kommune}.",
            rng.pick(RECOMMENDATIONS)
        ),
        "scheduling" => format!(
            "Saken om {topic} settes opp på møtet i {} {}{kommune}.",
            rng.pick(MONTHS),
            rng.between(2023, 2027)
        ),
        "postponement" => format!("Saken om {topic} utsettes til neste møte{kommune}."),
        _ => format!(
            "ASU ber {owner} {} {} om {topic}{kommune}{}.",
            rng.pick(ACTIONS),
            rng.pick(OBJECTS),
            if rng.chance(0.5) {
                " til neste møte"
            } else {
                ""
            }
        ),
    };
    if rng.chance(0.35) {
        text.push_str(rng.pick::<&str>(EXTRA_SENTENCES));
    }
    if rare {
        let _ = write!(text, " Dette gjelder også {RARE_WORD} i fjellregionen.");
    }
    text
}

// ---------------------------------------------------------------------------------------------
// Databases of their own.

enum Database {
    Sqlite(tempfile::TempDir),
    Postgres { admin_url: String, schema: String },
}

fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|u| !u.trim().is_empty())
}

fn create_database(backend: Backend) -> (DatabaseConfig, Database) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let path = dir.path().join("scale.sqlite3");
            let config = DatabaseConfig::from_url(Some(path.to_str().expect("a UTF-8 path")))
                .expect("a SQLite path");
            (config, Database::Sqlite(dir))
        }
        Backend::Postgres => {
            let admin_url = postgres_url().expect("a PostgreSQL URL");
            let schema = format!("scale_{}", uuid::Uuid::new_v4().simple());
            let mut conn = PgConnection::establish(&admin_url)
                .unwrap_or_else(|e| panic!("PostgreSQL at {POSTGRES_URL_VAR} is unreachable: {e}"));
            conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
                .expect("a schema of its own");
            let separator = if admin_url.contains('?') { '&' } else { '?' };
            let url = format!("{admin_url}{separator}options=-csearch_path%3D{schema}");
            let config = DatabaseConfig::from_url(Some(&url)).expect("a PostgreSQL URL");
            (config, Database::Postgres { admin_url, schema })
        }
    }
}

impl Database {
    fn drop_or_keep(self) {
        let keep = std::env::var_os("SCALE_KEEP").is_some();
        match self {
            Database::Sqlite(dir) => {
                if keep {
                    println!("  kept: {}", dir.keep().join("scale.sqlite3").display());
                }
            }
            Database::Postgres { admin_url, schema } => {
                if keep {
                    println!("  kept: schema {schema} at {admin_url}");
                } else if let Ok(mut conn) = PgConnection::establish(&admin_url) {
                    let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The load.

/// What a scenario sends.
enum Load {
    Get(fn(&Dataset, &mut Rng) -> String),
    /// PATCH a different open or in-progress point each time, with its version in If-Match.
    StatusChange,
    /// POST the minutes of 19.06.24 as a dry run.
    Import,
}

struct Scenario {
    name: &'static str,
    load: Load,
}

fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "open points by deadline, first 50",
            load: Load::Get(|_, _| "/api/v1/decisions?status=open&sort=deadline&limit=50".into()),
        },
        Scenario {
            name: "the whole log, first 50 (by case)",
            load: Load::Get(|_, _| "/api/v1/decisions?limit=50".into()),
        },
        Scenario {
            name: "the whole log, last changed first",
            load: Load::Get(|_, _| "/api/v1/decisions?sort=-updated&limit=50".into()),
        },
        Scenario {
            name: "one owner's open points, by deadline",
            load: Load::Get(|data, rng| {
                format!(
                    "/api/v1/decisions?status=open,in_progress&owner={}&sort=deadline&limit=50",
                    encode(rng.pick::<String>(&data.owner_names))
                )
            }),
        },
        Scenario {
            name: "overdue (ASU, by deadline)",
            load: Load::Get(|_, _| {
                "/api/v1/decisions?overdue=true&committee=ASU&sort=deadline&limit=50".into()
            }),
        },
        Scenario {
            name: "search: common word (q=kommune)",
            load: Load::Get(|_, _| "/api/v1/decisions?q=kommune&limit=50".into()),
        },
        Scenario {
            name: "search: common word, by deadline",
            load: Load::Get(|_, _| "/api/v1/decisions?q=kommune&sort=deadline&limit=50".into()),
        },
        Scenario {
            name: "search: rare word (10 points)",
            load: Load::Get(|_, _| format!("/api/v1/decisions?q={}&limit=50", encode(RARE_QUERY))),
        },
        Scenario {
            name: "chain of a matter",
            load: Load::Get(|data, rng| {
                let cases = if data.chain_cases.is_empty() {
                    &data.asu_cases
                } else {
                    &data.chain_cases
                };
                format!("/api/v1/committees/ASU/cases/{}/chain", rng.pick(cases))
            }),
        },
        Scenario {
            name: "a case with its points",
            load: Load::Get(|data, rng| {
                format!("/api/v1/committees/ASU/cases/{}", rng.pick(&data.asu_cases))
            }),
        },
        Scenario {
            name: "stats (the whole log)",
            load: Load::Get(|_, _| "/api/v1/stats".into()),
        },
        Scenario {
            name: "follow-up list for ASU's next meeting",
            load: Load::Get(|_, _| {
                format!("/api/v1/committees/ASU/follow-up?meeting_date={NEXT_MEETING}")
            }),
        },
        Scenario {
            name: "report JSON (one ASU meeting)",
            load: Load::Get(|data, rng| {
                let date = rng.pick(&data.asu_meeting_dates);
                format!("/api/v1/report?committee=ASU&from={date}&to={date}")
            }),
        },
        Scenario {
            name: "report CSV (one ASU meeting)",
            load: Load::Get(|data, rng| {
                let date = rng.pick(&data.asu_meeting_dates);
                format!("/api/v1/report?committee=ASU&from={date}&to={date}&format=csv")
            }),
        },
        Scenario {
            name: "page: Vedtakspunkter (open, by deadline)",
            load: Load::Get(|_, _| "/vedtakspunkter?status=open&sorter=frist".into()),
        },
        Scenario {
            name: "page: a point (Vedtakspunkt)",
            load: Load::Get(|data, rng| {
                format!("/vedtakspunkter/{}", rng.pick(&data.patch_targets).0)
            }),
        },
        Scenario {
            name: "import minutes 19.06.24 (dry run)",
            load: Load::Import,
        },
        Scenario {
            name: "status change with history (PATCH)",
            load: Load::StatusChange,
        },
    ]
}

/// The figures of one scenario.
#[derive(Clone)]
struct Figures {
    requests: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
    failures: usize,
}

impl Figures {
    fn from(mut latencies: Vec<Duration>, elapsed: Duration, failures: usize) -> Self {
        latencies.sort();
        let at = |q: usize| {
            if latencies.is_empty() {
                Duration::ZERO
            } else {
                latencies[(latencies.len() * q / 100).min(latencies.len() - 1)]
            }
        };
        Figures {
            requests: latencies.len(),
            per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
            p50: at(50),
            p99: at(99),
            failures,
        }
    }

    fn cell(&self) -> String {
        let mut cell = format!(
            "{} req/s · p50 {} · p99 {}",
            rate(self.per_second),
            ms(self.p50),
            ms(self.p99)
        );
        if self.failures > 0 {
            let _ = write!(cell, " · **{} non-2xx**", self.failures);
        }
        cell
    }
}

fn rate(per_second: f64) -> String {
    if per_second >= 100.0 {
        format!("{per_second:.0}")
    } else {
        format!("{per_second:.1}")
    }
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

/// One client: its own connection, and its share of the points to change.
struct Client {
    http: awc::Client,
    rng: Rng,
    /// (id, ETag, open)
    targets: Vec<(String, String, bool)>,
    next: usize,
}

struct Sample {
    latencies: Vec<Duration>,
    failures: usize,
    bodies: Vec<String>,
}

impl Sample {
    /// Counts a failed request, keeping what went wrong for the first three.
    fn fail(&mut self, what: impl FnOnce() -> String) {
        self.failures += 1;
        if self.bodies.len() < 3 {
            self.bodies.push(what());
        }
    }
}

/// The start of an answer's body, to show what went wrong.
fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(600).collect()
}

async fn run_client(
    client: &mut Client,
    base: &str,
    scenario: &Scenario,
    data: &Dataset,
    until: Instant,
    once: bool,
) -> Sample {
    let mut sample = Sample {
        latencies: Vec::new(),
        failures: 0,
        bodies: Vec::new(),
    };
    loop {
        if !once && Instant::now() >= until {
            break;
        }
        let mut target = None;
        let started = Instant::now();
        let sent = match &scenario.load {
            Load::Get(path) => {
                let url = format!("{base}{}", path(data, &mut client.rng));
                client.http.get(url).send().await
            }
            Load::Import => {
                client
                    .http
                    .post(format!("{base}/api/v1/imports?dry_run=true"))
                    .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
                    .send_body(MINUTES)
                    .await
            }
            Load::StatusChange => {
                if client.targets.is_empty() {
                    sample.fail(|| "no open points to change in this log".into());
                    break;
                }
                let i = client.next % client.targets.len();
                client.next += 1;
                let (id, etag, open) = &client.targets[i];
                let body = if *open {
                    serde_json::json!({"status": "in_progress", "status_note": "Arbeidet er i gang (måling)"})
                } else {
                    serde_json::json!({"status": "open", "status_note": "Satt tilbake til åpen (måling)"})
                };
                target = Some(i);
                client
                    .http
                    .request(Method::PATCH, format!("{base}/api/v1/decisions/{id}"))
                    .insert_header((header::IF_MATCH, etag.as_str()))
                    .insert_header((header::CONTENT_TYPE, "application/json"))
                    .send_body(body.to_string())
                    .await
            }
        };
        match sent {
            Ok(mut response) => {
                let status = response.status();
                let etag = response
                    .headers()
                    .get(header::ETAG)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let body = response.body().limit(1 << 30).await;
                let elapsed = started.elapsed();
                match body {
                    Ok(body) if status.is_success() && !does_its_work(&scenario.load, &body) => {
                        sample.fail(|| {
                            format!("{status} but not the work measured: {}", excerpt(&body))
                        });
                    }
                    Ok(_) if status.is_success() => {
                        sample.latencies.push(elapsed);
                        if let (Some(i), Some(etag)) = (target, etag) {
                            let entry = &mut client.targets[i];
                            entry.1 = etag;
                            entry.2 = !entry.2;
                        }
                    }
                    Ok(body) => sample.fail(|| format!("{status}: {}", excerpt(&body))),
                    Err(error) => {
                        sample.fail(|| format!("{status}: the body could not be read: {error}"));
                    }
                }
            }
            Err(error) => sample.fail(|| format!("request failed: {error}")),
        }
        if once {
            break;
        }
    }
    sample
}

/// Whether a successful answer did the work the scenario measures: the import's dry run
/// creates the meeting, its 9 cases and 21 points at every size (the committee exists).
fn does_its_work(load: &Load, body: &[u8]) -> bool {
    match load {
        Load::Import => serde_json::from_slice::<serde_json::Value>(body)
            .is_ok_and(|answer| answer["import"]["summary"]["created"] == 31),
        Load::Get(_) | Load::StatusChange => true,
    }
}

async fn drive(
    clients: &mut [Client],
    base: &str,
    scenario: &Scenario,
    data: &Dataset,
    seconds: f64,
) -> (Figures, Vec<String>) {
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(seconds);
    let runs = clients
        .iter_mut()
        .map(|client| run_client(client, base, scenario, data, until, false));
    let samples = futures::future::join_all(runs).await;
    let elapsed = started.elapsed();
    let mut latencies = Vec::new();
    let mut failures = 0;
    let mut bodies = Vec::new();
    for sample in samples {
        latencies.extend(sample.latencies);
        failures += sample.failures;
        for body in sample.bodies {
            if bodies.len() < 3 && !bodies.contains(&body) {
                bodies.push(body);
            }
        }
    }
    (Figures::from(latencies, elapsed, failures), bodies)
}

// ---------------------------------------------------------------------------------------------
// The database's own rate for the list query (open points by deadline, first 50).

const LIST_FROM: &str = "FROM decisions \
    INNER JOIN cases ON cases.id = decisions.case_id \
    INNER JOIN meetings ON meetings.id = cases.meeting_id \
    INNER JOIN committees ON committees.id = cases.committee_id \
    WHERE decisions.deleted_at IS NULL AND cases.deleted_at IS NULL \
    AND decisions.status IN ('open')";

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
#[allow(dead_code)]
struct ListRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    case_id: String,
    #[diesel(sql_type = Text)]
    position: String,
    #[diesel(sql_type = Integer)]
    position_sort: i32,
    #[diesel(sql_type = Text)]
    text: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Nullable<Date>)]
    deadline: Option<NaiveDate>,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Text>)]
    status_note: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    status_evidence: Option<String>,
    #[diesel(sql_type = Bool)]
    is_public: bool,
    #[diesel(sql_type = Timestamp)]
    created_at: NaiveDateTime,
    #[diesel(sql_type = Timestamp)]
    updated_at: NaiveDateTime,
    #[diesel(sql_type = Text)]
    updated_by: String,
    #[diesel(sql_type = Integer)]
    version: i32,
    #[diesel(sql_type = Nullable<Timestamp>)]
    deleted_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Text)]
    meeting_id: String,
    #[diesel(sql_type = Integer)]
    case_year: i32,
    #[diesel(sql_type = Integer)]
    case_serial: i32,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Date)]
    meeting_date: NaiveDate,
    #[diesel(sql_type = Text)]
    code: String,
}

#[derive(QueryableByName)]
#[allow(dead_code)]
struct OwnerRow {
    #[diesel(sql_type = Text)]
    decision_id: String,
    #[diesel(sql_type = Text)]
    owner_id: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Bool)]
    responsible: bool,
}

/// The queries the service makes for the list, in one read transaction: the count, the page
/// (one row more than asked), and the owners of the page. Returns the rows read.
macro_rules! list_open_by_deadline {
    ($conn:expr, $begin:expr, $walk:expr) => {{
        let conn = $conn;
        conn.batch_execute($begin)?;
        // The count stops after 1,001 rows and reads the points alone, as the store's does.
        let count: Vec<CountRow> = diesel::sql_query(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM decisions WHERE decisions.deleted_at IS NULL \
             AND decisions.status IN ('open') LIMIT 1001) AS counted",
        )
        .load(&mut *conn)?;
        let page: Vec<ListRow> = diesel::sql_query(format!(
            "SELECT decisions.id, decisions.case_id, decisions.position, decisions.position_sort, \
             decisions.text, decisions.kind, decisions.deadline, decisions.status, \
             decisions.status_note, decisions.status_evidence, decisions.is_public, \
             decisions.created_at, decisions.updated_at, decisions.updated_by, decisions.version, \
             decisions.deleted_at, cases.meeting_id, cases.case_year, cases.case_serial, \
             cases.title, meetings.meeting_date, committees.code {LIST_FROM}{} \
             ORDER BY COALESCE(decisions.deadline, '9999-12-31'), decisions.id LIMIT 51",
            $walk
        ))
        .load(&mut *conn)?;
        let ids: Vec<String> = page.iter().take(50).map(|row| lit(&row.id)).collect();
        let owners: Vec<OwnerRow> = if ids.is_empty() {
            Vec::new()
        } else {
            diesel::sql_query(format!(
                "SELECT decision_owners.decision_id, owners.id AS owner_id, owners.name, \
                 decision_owners.responsible FROM decision_owners \
                 INNER JOIN owners ON owners.id = decision_owners.owner_id \
                 WHERE decision_owners.decision_id IN ({}) \
                 ORDER BY decision_owners.decision_id, decision_owners.ordinal",
                ids.join(", ")
            ))
            .load(&mut *conn)?
        };
        conn.batch_execute("COMMIT")?;
        std::hint::black_box(count.first().map(|row| row.n));
        Ok::<usize, diesel::result::Error>(count.len() + page.len() + owners.len())
    }};
}

fn list_once(conn: &mut DbConnection) -> QueryResult<usize> {
    match conn {
        // As the store asks SQLite to walk the order's index (`whole_index_range`).
        DbConnection::Sqlite(c) => list_open_by_deadline!(
            c,
            "BEGIN",
            " AND likelihood(COALESCE(decisions.deadline, '9999-12-31') >= '0001-01-01', 0.001)"
        ),
        DbConnection::Postgres(c) => {
            list_open_by_deadline!(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "")
        }
    }
}

fn open_connection(config: &DatabaseConfig) -> DbConnection {
    match config.backend {
        Backend::Sqlite => {
            let mut conn = SqliteConnection::establish(&config.url).expect("SQLite opens");
            conn.batch_execute(
                "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
            )
            .expect("pragmas");
            DbConnection::Sqlite(conn)
        }
        Backend::Postgres => {
            DbConnection::Postgres(PgConnection::establish(&config.url).expect("PostgreSQL"))
        }
    }
}

fn database_rate(config: &DatabaseConfig, seconds: f64) -> Figures {
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(seconds);
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let config = config.clone();
            std::thread::spawn(move || {
                let mut conn = open_connection(&config);
                let mut latencies = Vec::new();
                while Instant::now() < until {
                    let at = Instant::now();
                    let rows = list_once(&mut conn).expect("the list query runs");
                    latencies.push(at.elapsed());
                    assert!(rows > 0, "the list query found nothing");
                }
                latencies
            })
        })
        .collect();
    let latencies: Vec<Duration> = threads
        .into_iter()
        .flat_map(|t| t.join().expect("a database thread"))
        .collect();
    Figures::from(latencies, started.elapsed(), 0)
}

// ---------------------------------------------------------------------------------------------
// One log: generate, serve, load.

struct SizeResult {
    size: usize,
    generation: Duration,
    rows: Vec<(&'static str, Figures)>,
    database: Option<Figures>,
}

struct Settings {
    seconds: f64,
    connections: usize,
    only: Vec<String>,
}

async fn bench_size(
    backend: Backend,
    size: usize,
    settings: &Settings,
    failures: &mut Vec<String>,
) -> SizeResult {
    println!("\n## {backend}, {size} decision points");
    let (config, db) = create_database(backend);
    let (store, _) = Store::open(&config).expect("the store opens and migrates");
    let data = generate(&store, size);
    // SQLite's connections read the planner's statistics with the schema: the pool opened
    // before the log was generated would plan without them, as no server started on it does.
    drop(store);
    let (store, _) = Store::open(&config).expect("the store opens again");
    println!(
        "  generated in {:.1} s: {} meetings, {} cases, {} follows_up links, {} postponed cases \
         taken up, {} owners, {} points ({} open, {} with \"kommune\", {} with the rare word)",
        data.generation.as_secs_f64(),
        data.meetings,
        data.cases,
        data.links - data.taken_up,
        data.taken_up,
        data.owners,
        data.points,
        data.open,
        data.with_common_word,
        data.with_rare_word,
    );
    let token = store
        .run_blocking(|conn| {
            tokens::create(
                conn,
                NewToken {
                    name: ACTOR.parse().expect("a name"),
                    role: Role::Admin,
                },
                ACTOR,
            )
        })
        .expect("a token")
        .secret;

    // The real server, as startup.rs builds it, on a free port.
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    // Public reading, so that the pages can be read without signing in; the API's requests
    // carry the token.
    let access = AccessSettings { public_read: true };
    let served = store.clone();
    let server = HttpServer::new(move || vedtakslogg::startup::app(served.clone(), access))
        .listen(listener)
        .expect("the server listens")
        .shutdown_timeout(10)
        .run();
    let handle = server.handle();
    actix_web::rt::spawn(server);

    let mut clients: Vec<Client> = (0..settings.connections)
        .map(|i| Client {
            http: awc::Client::builder()
                .connector(awc::Connector::new().limit(1))
                .timeout(Duration::from_secs(600))
                .add_default_header((header::AUTHORIZATION, format!("Bearer {token}")))
                .finish(),
            rng: Rng::new(SEED ^ (i as u64 + 1).wrapping_mul(0x1234_5678_9ABC)),
            targets: data
                .patch_targets
                .iter()
                .skip(i)
                .step_by(settings.connections)
                .map(|(id, open)| (id.clone(), "\"1\"".to_owned(), *open))
                .collect(),
            next: 0,
        })
        .collect();

    let mut rows = Vec::new();
    for scenario in scenarios() {
        if !settings.only.is_empty() && !settings.only.iter().any(|w| scenario.name.contains(w)) {
            continue;
        }
        // One request first, to warm up and to show a failure at once.
        let warm = run_client(
            &mut clients[0],
            &base,
            &scenario,
            &data,
            Instant::now(),
            true,
        )
        .await;
        let (figures, mut bodies) =
            drive(&mut clients, &base, &scenario, &data, settings.seconds).await;
        let mut figures = figures;
        figures.failures += warm.failures;
        bodies.extend(warm.bodies);
        println!(
            "  {:<40} {:>7} req {:>9} req/s   p50 {:>9}   p99 {:>9}   non-2xx {}",
            scenario.name,
            figures.requests,
            rate(figures.per_second),
            ms(figures.p50),
            ms(figures.p99),
            figures.failures
        );
        if figures.failures > 0 {
            println!(
                "  !!! FAILED: {} of \"{}\" answered non-2xx or failed; for example:",
                figures.failures, scenario.name
            );
            for body in &bodies {
                println!("  !!!   {body}");
            }
            failures.push(format!(
                "{backend}, {size} points, {}: {} failures; {}",
                scenario.name,
                figures.failures,
                bodies.first().cloned().unwrap_or_default()
            ));
        }
        let _ = std::io::stdout().flush();
        rows.push((scenario.name, figures));
    }
    handle.stop(true).await;
    drop(clients);

    let database = if settings.only.is_empty() || settings.only.iter().any(|w| w == "database") {
        let figures = database_rate(&config, settings.seconds);
        let ours = rows
            .iter()
            .find(|(name, _)| name.starts_with("open points by deadline"))
            .map(|(_, f)| f.per_second);
        println!(
            "  {:<40} {:>7} req {:>9} req/s   p50 {:>9}   p99 {:>9}   (2 threads, own connections){}",
            "database's own list query",
            figures.requests,
            rate(figures.per_second),
            ms(figures.p50),
            ms(figures.p99),
            ours.map(|ours| format!("; ours/db = {:.2}", ours / figures.per_second))
                .unwrap_or_default()
        );
        Some(figures)
    } else {
        None
    };
    drop(store);
    // The server's workers have let go of the store; the database can go.
    db.drop_or_keep();
    let _ = std::io::stdout().flush();
    SizeResult {
        size,
        generation: data.generation,
        rows,
        database,
    }
}

fn sizes() -> Vec<usize> {
    std::env::var("SCALE_SIZES")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "10000,100000".into())
        .split(',')
        .map(|s| {
            s.trim()
                .replace('_', "")
                .parse()
                .unwrap_or_else(|_| panic!("SCALE_SIZES: '{s}' is not a number"))
        })
        .collect()
}

fn backends() -> Vec<Backend> {
    let choice = std::env::var("SCALE_BACKEND").unwrap_or_default();
    let postgres = postgres_url().is_some();
    let backends = match choice.trim() {
        "sqlite" => vec![Backend::Sqlite],
        "postgres" => vec![Backend::Postgres],
        "both" => vec![Backend::Sqlite, Backend::Postgres],
        "" if postgres => vec![Backend::Sqlite, Backend::Postgres],
        "" => vec![Backend::Sqlite],
        other => panic!("SCALE_BACKEND: '{other}' is not sqlite, postgres or both"),
    };
    if backends.contains(&Backend::Postgres) && !postgres {
        panic!("SCALE_BACKEND asks for PostgreSQL: set {POSTGRES_URL_VAR}");
    }
    backends
}

fn main() {
    // The server logs why it answered 500; RUST_LOG=error (or info for every request) shows it.
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = env_logger::try_init();
    }
    let settings = Settings {
        seconds: std::env::var("SCALE_SECONDS")
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(5.0),
        connections: std::env::var("SCALE_CONNECTIONS")
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(16),
        only: std::env::var("SCALE_ONLY")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    let sizes = sizes();
    let backends = backends();
    println!(
        "# Vedtakslogg at scale: {} s a scenario, {} connections, sizes {:?}, backends {}",
        settings.seconds,
        settings.connections,
        sizes,
        backends
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut failures = Vec::new();
    let mut results: Vec<(Backend, Vec<SizeResult>)> = Vec::new();
    actix_web::rt::System::new().block_on(async {
        for &backend in &backends {
            let mut per_size = Vec::new();
            for &size in &sizes {
                per_size.push(bench_size(backend, size, &settings, &mut failures).await);
            }
            results.push((backend, per_size));
        }
    });

    for (backend, per_size) in &results {
        println!("\n### {backend}\n");
        let mut head = "| scenario |".to_owned();
        let mut rule = "|---|".to_owned();
        for result in per_size {
            let _ = write!(head, " {} points |", thousands(result.size));
            rule.push_str("---|");
        }
        println!("{head}\n{rule}");
        let names: Vec<&str> = per_size
            .first()
            .map(|r| r.rows.iter().map(|(name, _)| *name).collect())
            .unwrap_or_default();
        for name in names {
            let mut line = format!("| {name} |");
            for result in per_size {
                let cell = result
                    .rows
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, f)| f.cell())
                    .unwrap_or_default();
                let _ = write!(line, " {cell} |");
            }
            println!("{line}");
        }
        if per_size.iter().any(|r| r.database.is_some()) {
            let mut line = "| the database's own list query (2 threads) |".to_owned();
            let mut ratio = "| ratio ours/db, list query |".to_owned();
            for result in per_size {
                let db = result.database.as_ref();
                let ours = result
                    .rows
                    .iter()
                    .find(|(name, _)| name.starts_with("open points by deadline"))
                    .map(|(_, f)| f.per_second);
                let _ = write!(line, " {} |", db.map(Figures::cell).unwrap_or_default());
                let _ = write!(
                    ratio,
                    " {} |",
                    match (ours, db) {
                        (Some(ours), Some(db)) => format!("{:.2}", ours / db.per_second),
                        _ => String::new(),
                    }
                );
            }
            println!("{line}\n{ratio}");
        }
        let mut line = "| generation (bulk insert, search index, statistics) |".to_owned();
        for result in per_size {
            let _ = write!(line, " {:.1} s |", result.generation.as_secs_f64());
        }
        println!("{line}");
    }
    if failures.is_empty() {
        println!("\nEvery request answered 2xx.");
    } else {
        println!(
            "\n!!! {} scenario(s) had non-2xx answers or failed requests:",
            failures.len()
        );
        for failure in &failures {
            println!("!!!   {failure}");
        }
    }
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
