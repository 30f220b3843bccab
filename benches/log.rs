//! How fast the log answers with a realistic amount of data: 2,000 decision points over 400
//! cases and 20 meetings, with owners, deadlines and chains of follow-ups.
//!
//!     cargo bench --bench log
//!     VEDTAKSLOGG_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench log
//!
//! It also imports ASU's minutes of 19.06.24 (.docx) into an empty log, and again.
//!
//! It drives the store directly (no HTTP), times each operation a number of times and prints
//! the median and the 95th percentile. The figures in the README come from it.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use vedtakslogg::config::DatabaseConfig;
use vedtakslogg::domain::{CaseNumber, CommitteeCode, DecisionKind, DecisionStatus, Position};
use vedtakslogg::import::{self, apply};
use vedtakslogg::store::decisions::{DecisionFilter, DecisionSort};
use vedtakslogg::store::overview::StatsFilter;
use vedtakslogg::store::{Store, Visibility, chains, decisions, overview};
use vedtakslogg::writes::cases::{self, NewCase};
use vedtakslogg::writes::committees::{self, NewCommittee};
use vedtakslogg::writes::decisions::{DecisionChanges, NewDecision, OwnerAssignment};
use vedtakslogg::writes::links::{self, NewLink};
use vedtakslogg::writes::meetings::{self, NewMeeting};

const MEETINGS: usize = 20;
const CASES_PER_MEETING: usize = 20;
const POINTS_PER_CASE: usize = 5;
const OWNERS: [&str; 6] = [
    "Sekretariatet",
    "AU",
    "Kommunene",
    "St. Olavs hospital",
    "Analysegruppen",
    "Fagråd 3",
];

fn json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("valid input")
}

fn seed(store: &Store) -> Vec<vedtakslogg::domain::DecisionId> {
    let actor = "bench";
    store
        .run_blocking(|conn| {
            committees::create(
                conn,
                json::<NewCommittee>(
                    serde_json::json!({"code": "ASU", "name": "Administrativt samarbeidsutvalg"}),
                ),
                actor,
            )
        })
        .unwrap();
    let mut points = Vec::new();
    for m in 0..MEETINGS {
        let date = format!("2024-{:02}-{:02}", 1 + m / 2, 1 + (m % 2) * 14);
        let meeting = store
            .run_blocking(|conn| {
                meetings::create(
                    conn,
                    json::<NewMeeting>(serde_json::json!({"committee": "ASU", "date": date})),
                    actor,
                )
            })
            .unwrap();
        for c in 0..CASES_PER_MEETING {
            let serial = m * CASES_PER_MEETING + c + 1;
            let case = store
                .run_blocking(|conn| {
                    cases::create(
                        conn,
                        json::<NewCase>(serde_json::json!({
                            "meeting_id": meeting.id, "number": format!("{serial}/24"),
                            "title": format!("Sak {serial}: oppfølging av handlingsplan og samhandling"),
                            "narrative": "Det vises til vedtak i tidligere sak om vedtakslogg og e-læringskurs for kommunene."
                        })),
                        actor,
                    )
                })
                .unwrap();
            for p in 0..POINTS_PER_CASE {
                let owner = OWNERS[(serial + p) % OWNERS.len()];
                let kind = if p == 0 {
                    DecisionKind::Orientation
                } else {
                    DecisionKind::Assignment
                };
                let new = NewDecision {
                    case_id: Some(case.id),
                    committee: None,
                    case_number: None,
                    position: (p + 1).to_string().parse::<Position>().unwrap(),
                    text: format!("ASU ber {owner} følge opp punkt {} om vedtakslogg og e-læring i kommunene.", p + 1)
                        .parse()
                        .unwrap(),
                    kind,
                    owners: if p == 0 { vec![] } else { vec![OwnerAssignment { owner: owner.into(), responsible: true }] },
                    deadline: (p > 1).then(|| format!("2024-{:02}-15", 1 + (serial + p) % 12).parse().unwrap()),
                    status: None,
                    status_note: None,
                    public: true,
                };
                points.push(
                    store
                        .run_blocking(|conn| {
                            vedtakslogg::writes::decisions::create(conn, new, actor)
                        })
                        .unwrap()
                        .id,
                );
            }
            // Chains: each case follows up the case 20 before it (the same slot a meeting earlier).
            if serial > CASES_PER_MEETING {
                let target: CaseNumber = format!("{}/24", serial - CASES_PER_MEETING)
                    .parse()
                    .unwrap();
                store
                    .run_blocking(|conn| {
                        links::create(
                            conn,
                            case.id,
                            NewLink {
                                kind: vedtakslogg::domain::LinkKind::FollowsUp,
                                target,
                                target_committee: None,
                                target_position: None,
                                note: None,
                            },
                            actor,
                        )
                    })
                    .unwrap();
            }
        }
    }
    points
}

fn time<T>(label: &str, runs: usize, mut work: impl FnMut() -> T) {
    let mut samples: Vec<Duration> = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(work());
        samples.push(start.elapsed());
    }
    samples.sort();
    let median = samples[runs / 2];
    let p95 = samples[(runs * 95 / 100).min(runs - 1)];
    println!(
        "  {label:<52} median {:>8.2} ms   p95 {:>8.2} ms",
        ms(median),
        ms(p95)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn bench(name: &str, config: &DatabaseConfig) {
    let (store, _) = Store::open(config).expect("the store opens");
    let started = Instant::now();
    let points = seed(&store);
    println!(
        "{name}: {} decision points in {} cases recorded in {:.1} s ({:.2} ms a point)",
        points.len(),
        MEETINGS * CASES_PER_MEETING,
        started.elapsed().as_secs_f64(),
        ms(started.elapsed()) / points.len() as f64
    );
    let asu: CommitteeCode = "ASU".parse().unwrap();
    let store = &store;
    let page = |filter: DecisionFilter| {
        move || {
            store
                .run_blocking(|conn| decisions::list(conn, &filter, None, 50))
                .unwrap()
        }
    };
    time(
        "list: open work, first page of 50",
        50,
        page(DecisionFilter {
            statuses: vec![DecisionStatus::Open, DecisionStatus::InProgress],
            ..DecisionFilter::default()
        }),
    );
    time(
        "list: one owner's open work, by deadline",
        50,
        page(DecisionFilter {
            statuses: vec![DecisionStatus::Open, DecisionStatus::InProgress],
            owner: Some("sekretariatet".into()),
            sort: DecisionSort::Deadline,
            ..DecisionFilter::default()
        }),
    );
    time(
        "list: overdue",
        50,
        page(DecisionFilter {
            overdue: Some(true),
            ..DecisionFilter::default()
        }),
    );
    time(
        "search: \"e-læring kommune\", best first",
        20,
        page(DecisionFilter {
            q: Some("e-læring kommune".into()),
            sort: DecisionSort::Relevance,
            ..DecisionFilter::default()
        }),
    );
    time("chain of a matter (20 cases, 100 points)", 20, || {
        store
            .run_blocking(|conn| {
                chains::of_case(conn, &asu, "1/24".parse().unwrap(), Visibility::All)
            })
            .unwrap()
    });
    time("stats: the whole committee", 20, || {
        store
            .run_blocking(|conn| {
                overview::stats(
                    conn,
                    &StatsFilter {
                        committee: Some(asu.clone()),
                        due_within_days: 30,
                        ..StatsFilter::default()
                    },
                )
            })
            .unwrap()
    });
    time("report: every point (for CSV or HTML)", 10, || {
        store
            .run_blocking(|conn| {
                decisions::list_every(
                    conn,
                    &DecisionFilter {
                        committee: Some(asu.clone()),
                        ..DecisionFilter::default()
                    },
                )
            })
            .unwrap()
    });
    let mut n = 0;
    time("change: a point's status note (with history)", 50, || {
        n += 1;
        let id = points[(n * 37) % points.len()];
        let changes = DecisionChanges {
            status_note: Some(Some(format!("Notat {n}"))),
            ..DecisionChanges::default()
        };
        store
            .run_blocking(|conn| {
                vedtakslogg::writes::decisions::update(conn, id, None, changes, "bench")
            })
            .unwrap()
    });
}

/// Importing ASU's minutes of 19.06.24 (9 cases, 21 points) into a log of its own.
fn bench_import(name: &str, config: &DatabaseConfig) {
    const MINUTES: &[u8] = include_bytes!("../tests/fixtures/asu-2024-06-19-referat.docx");
    let (store, _) = Store::open(config).expect("the store opens");
    let store = &store;
    println!("{name}: importing the minutes of 19.06.24 (.docx, 9 cases, 21 points)");
    time("import: read the .docx (unzip, XML, parse)", 50, || {
        import::read_document(MINUTES).unwrap()
    });
    let sha = import::content_sha256(MINUTES);
    let apply = |dry_run: bool| {
        let parsed = import::read_document(MINUTES).unwrap();
        store
            .run_blocking(|conn| apply::apply(conn, parsed, &sha, "bench", dry_run))
            .unwrap()
    };
    time("import: preview into an empty log (dry run)", 20, || {
        apply(true)
    });
    let first = apply(false);
    assert_eq!(first.import.summary.created, 32);
    time(
        "import: the same minutes again (nothing changes)",
        20,
        || {
            let again = apply(false);
            assert!(!again.import.changed);
            again
        },
    );
}

/// A database of its own for each part of the benchmark: a SQLite file, or a PostgreSQL schema.
fn on_fresh_databases(run: impl Fn(&str, &DatabaseConfig)) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir
        .path()
        .join(format!("{}.sqlite3", uuid::Uuid::new_v4().simple()));
    run("SQLite", &DatabaseConfig::from_url(path.to_str()).unwrap());
    if let Ok(url) = std::env::var("VEDTAKSLOGG_TEST_POSTGRES_URL") {
        let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(&url).expect("PostgreSQL answers");
        admin
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .unwrap();
        let separator = if url.contains('?') { '&' } else { '?' };
        let config = DatabaseConfig::from_url(Some(&format!(
            "{url}{separator}options=-csearch_path%3D{schema}"
        )))
        .unwrap();
        run("PostgreSQL", &config);
        admin
            .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
            .unwrap();
    }
}

fn main() {
    // `cargo bench` passes --bench; nothing else is read from the command line.
    on_fresh_databases(bench);
    on_fresh_databases(bench_import);
}
