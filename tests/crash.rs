//! The crash test: the real binary, killed with SIGKILL at random moments while several clients
//! write through the API, then started again and checked.
//!
//! Each client owns a committee of its own and writes meetings, cases, decision points (with
//! owners, history and search text), status changes and title changes under `If-Match`,
//! deletes, and imports of whole minutes (a meeting with several cases and points in one
//! transaction). Every write the server acknowledged (2xx) is recorded with what it must have
//! produced; a write that got no answer because the process died is "unknown": it may or may not
//! be there, but if it is, it must be whole.
//!
//! After each kill the database is checked directly (SQLite's `integrity_check` and
//! `foreign_key_check`, the full-text index, history against records, the copies a write keeps
//! in step); after each restart the log is read back through the API and compared with what was
//! acknowledged, record by record, including what must not be there.
//!
//! `CRASH_SEED` replays a run (the seed is printed); `CRASH_KILLS` sets the number of kills
//! (default 25). PostgreSQL runs in a database created for the test and dropped after it, when
//! `VEDTAKSLOGG_TEST_POSTGRES_URL` is set.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use awc::http::{Method, header};
use chrono::{Datelike, Days, NaiveDate};
use diesel::connection::SimpleConnection;
use diesel::sql_types::Text;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};
use serde_json::{Value, json};

const POSTGRES_URL_VAR: &str = "VEDTAKSLOGG_TEST_POSTGRES_URL";
const CLIENTS: usize = 4;
const DEFAULT_KILLS: usize = 25;

#[test]
fn sqlite_keeps_every_acknowledged_write_through_sigkills() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("crash.sqlite3");
    let database = Database::Sqlite(path.to_str().expect("a UTF-8 path").to_owned());
    run("SQLite", &database, 1000);
}

#[test]
fn postgres_keeps_every_acknowledged_write_through_sigkills() {
    let Some(admin_url) = std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|u| !u.trim().is_empty())
    else {
        eprintln!("skipped: set {POSTGRES_URL_VAR} to run the crash test on PostgreSQL");
        return;
    };
    let scratch = ScratchPostgres::create(&admin_url);
    // Its writes take several round trips each: a longer run between kills gets as many through.
    run("PostgreSQL", &Database::Postgres(scratch.url.clone()), 1500);
}

/// A PostgreSQL database of its own: the service's writers take turns on an advisory lock that
/// is per database, so a schema in the shared test database would make them wait on other tests.
struct ScratchPostgres {
    admin_url: String,
    name: String,
    url: String,
}

impl ScratchPostgres {
    fn create(admin_url: &str) -> Self {
        let name = format!("crash_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::establish(admin_url)
            .unwrap_or_else(|e| panic!("PostgreSQL at {POSTGRES_URL_VAR} is unreachable: {e}"));
        conn.batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("a database of its own");
        // postgres://user@host:port/db?query: the database is the last path segment.
        let (base, query) = admin_url
            .split_once('?')
            .map_or((admin_url, None), |(b, q)| (b, Some(q)));
        let (scheme, rest) = base.split_once("://").expect("a postgres:// URL");
        let authority = rest.split_once('/').map_or(rest, |(a, _)| a);
        let url = format!(
            "{scheme}://{authority}/{name}{}",
            query.map(|q| format!("?{q}")).unwrap_or_default()
        );
        Self {
            admin_url: admin_url.to_owned(),
            name,
            url,
        }
    }
}

impl Drop for ScratchPostgres {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&self.admin_url) {
            let _ = conn.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

enum Database {
    /// The file's path.
    Sqlite(String),
    /// The URL.
    Postgres(String),
}

impl Database {
    fn url(&self) -> &str {
        match self {
            Database::Sqlite(path) | Database::Postgres(path) => path,
        }
    }
}

/// A small seeded generator (splitmix64): the same seed gives the same run of choices.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `low..high`.
    fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).expect("an index")
    }
}

/// What a run did, for the figures.
#[derive(Default)]
struct Figures {
    kills: usize,
    restarts: usize,
    acknowledged: BTreeMap<&'static str, usize>,
    unknown: usize,
    unknown_applied: usize,
    ready: Vec<Duration>,
    records_checked: usize,
}

/// Runs the whole test on one database: kills (each after the clients wrote for a random time
/// up to `longest_ms`), restarts and checks, then prints the figures.
fn run(backend: &'static str, database: &Database, longest_ms: u64) {
    let seed = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    let kills = std::env::var("CRASH_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_KILLS);
    eprintln!("crash test on {backend}: seed {seed} (CRASH_SEED={seed} replays it), {kills} kills");
    let started = Instant::now();
    let token = editor_token(database);
    let mut rng = Rng(seed);
    let mut figures = Figures::default();
    let mut clients: Vec<ClientLog> = (0..CLIENTS).map(ClientLog::new).collect();

    actix_web::rt::System::new().block_on(async {
        for cycle in 0..=kills {
            let mut server = Server::start(database);
            figures.ready.push(server.ready_after);
            if cycle > 0 {
                figures.restarts += 1;
            }
            let http = awc::Client::builder()
                .timeout(Duration::from_secs(30))
                .add_default_header((header::AUTHORIZATION, format!("Bearer {token}")))
                .finish();
            let api = Api {
                http,
                base: format!("{}/api/v1", server.url),
            };
            if cycle == 0 {
                for client in &clients {
                    let (status, body, _) = api
                        .send(Request::new(
                            Method::POST,
                            "/committees",
                            None,
                            Body::Json(json!({"code": client.code, "name": format!("Krasjtest {}", client.code)})),
                        ))
                        .await
                        .expect("the server answers");
                    assert_eq!(status, 201, "{body}");
                }
            }
            // What the restarted service serves must be what was acknowledged.
            for client in &mut clients {
                figures.records_checked += client.reconcile_and_verify(&api, &mut figures).await;
            }
            if cycle == kills {
                server.kill();
                server.assert_no_errors();
                break;
            }
            let delay = Duration::from_millis(if rng.below(5) == 0 {
                rng.range(1, 40)
            } else {
                rng.range(40, longest_ms)
            });
            let mut seeds: Vec<Rng> = (0..CLIENTS).map(|_| Rng(rng.next())).collect();
            let writers = futures::future::join_all(
                clients
                    .iter_mut()
                    .zip(seeds.iter_mut())
                    .map(|(client, rng)| client.write_until_the_server_dies(&api, rng)),
            );
            let killer = async {
                actix_web::rt::time::sleep(delay).await;
                server.kill();
            };
            let (outcomes, ()) = futures::join!(writers, killer);
            figures.kills += 1;
            server.assert_no_errors();
            for (kind, count) in outcomes.into_iter().flatten() {
                *figures.acknowledged.entry(kind).or_default() += count;
            }
            // The files as the kill left them, before the service opens them again.
            check_database(database);
        }
    });
    check_database(database);

    figures.unknown = clients.iter().map(|c| c.unknown_total).sum();
    let acknowledged: usize = figures.acknowledged.values().sum();
    let mut ready = figures.ready.clone();
    ready.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    eprintln!(
        "crash test on {backend}: seed {seed}; {} kills, {} restarts; {acknowledged} acknowledged writes ({}); \
         {} unknown (no answer), {} of them found applied and whole; {} record checks; \
         ready after start: min {:.0} ms, median {:.0} ms, max {:.0} ms; {:.1} s in all",
        figures.kills,
        figures.restarts,
        figures
            .acknowledged
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", "),
        figures.unknown,
        figures.unknown_applied,
        figures.records_checked,
        ms(ready[0]),
        ms(ready[ready.len() / 2]),
        ms(ready[ready.len() - 1]),
        started.elapsed().as_secs_f64()
    );
    assert!(figures.kills >= kills, "every planned kill happened");
    assert!(
        acknowledged > kills,
        "the clients got writes through between kills ({acknowledged})"
    );
}

/// An editor's token, made with the command line (which also creates and migrates the database).
fn editor_token(database: &Database) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_vedtakslogg"))
        .args(["token", "create", "--name", "Krasjtest", "--role", "editor"])
        .env("DATABASE_URL", database.url())
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .split_whitespace()
        .find(|w| w.starts_with("vl_"))
        .expect("the secret is printed")
        .to_owned()
}

/// The real binary, serving on a free port.
struct Server {
    child: Child,
    url: String,
    ready_after: Duration,
    /// Errors the service logged, shown when a check fails.
    errors: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(database: &Database) -> Self {
        let started = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_vedtakslogg"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("DATABASE_URL", database.url())
            // The line that says where it serves, and errors; not one line per request.
            .env("RUST_LOG", "warn,vedtakslogg=info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let stderr = child.stderr.take().expect("its standard error");
        let errors = Arc::new(Mutex::new(Vec::new()));
        let (ready_tx, ready_rx) = mpsc::channel();
        let logged = Arc::clone(&errors);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some((_, url)) = line.split_once("is serving at ") {
                    let url = url.split('/').take(3).collect::<Vec<_>>().join("/");
                    let _ = ready_tx.send(url);
                } else if line.contains("ERROR") || line.contains("panicked") {
                    logged.lock().unwrap().push(line);
                }
            }
        });
        let Ok(url) = ready_rx.recv_timeout(Duration::from_secs(60)) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the service did not start: {:?}", errors.lock().unwrap());
        };
        // Listening is not yet ready: it is ready when it answers, and says the database is.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = std::net::TcpStream::connect(url.trim_start_matches("http://"))
                .ok()
                .and_then(|mut stream| {
                    use std::io::{Read, Write};
                    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
                    stream
                        .write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        .ok()?;
                    let mut answer = String::new();
                    stream.read_to_string(&mut answer).ok()?;
                    Some(answer.starts_with("HTTP/1.1 200"))
                })
                .unwrap_or(false);
            if ready {
                break;
            }
            assert!(Instant::now() < deadline, "the service never became ready");
            std::thread::sleep(Duration::from_millis(5));
        }
        Self {
            child,
            url,
            ready_after: started.elapsed(),
            errors,
        }
    }

    /// SIGKILL: no chance to finish anything. (`Child::kill` sends SIGKILL on Unix.)
    fn kill(&mut self) {
        self.child.kill().expect("SIGKILL is sent");
        self.child.wait().expect("the process is gone");
    }

    /// Whether the service logged an error (behind a 500, say) while it ran.
    fn assert_no_errors(&self) {
        let errors = self.errors.lock().unwrap();
        assert!(errors.is_empty(), "the service logged errors: {errors:#?}");
    }
}

/// A failing check must not leave the service running behind it.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

enum Body {
    None,
    Json(Value),
    Text(String),
}

/// A request to the API: method, path below `/api/v1`, the version for `If-Match`, the body.
struct Request {
    method: Method,
    path: String,
    if_match: Option<i64>,
    body: Body,
}

impl Request {
    fn new(method: Method, path: &str, if_match: Option<i64>, body: Body) -> Self {
        Self {
            method,
            path: path.to_owned(),
            if_match,
            body,
        }
    }
}

/// The API of one running server.
struct Api {
    http: awc::Client,
    base: String,
}

impl Api {
    /// Sends a request; `None` when no answer came (the process died, or was not there).
    async fn send(&self, request: Request) -> Option<(u16, Value, Option<i64>)> {
        let Request {
            method,
            path,
            if_match,
            body,
        } = request;
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(version) = if_match {
            request = request.insert_header((header::IF_MATCH, format!("\"{version}\"")));
        }
        let sent = match body {
            Body::None => request.send().await,
            Body::Json(value) => request.send_json(&value).await,
            Body::Text(text) => {
                request
                    .content_type("text/plain; charset=utf-8")
                    .send_body(text)
                    .await
            }
        };
        let mut response = sent.ok()?;
        let status = response.status().as_u16();
        let etag = response
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim_matches('"').parse().ok());
        let bytes = response.body().limit(64 << 20).await.ok()?;
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Some((status, value, etag))
    }

    /// Every record of a list, tombstones included, by id.
    async fn everything(&self, resource: &str, committee: &str) -> HashMap<String, Value> {
        let mut records = HashMap::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!(
                "/{resource}?committee={committee}&updated_since=2000-01-01T00:00:00Z&limit=200"
            );
            if let Some(cursor) = &cursor {
                path.push_str("&cursor=");
                path.extend(form_urlencoded::byte_serialize(cursor.as_bytes()));
            }
            let (status, body, _) = self
                .send(Request::new(Method::GET, &path, None, Body::None))
                .await
                .expect("the server answers");
            assert_eq!(status, 200, "GET {path}: {body}");
            for item in body["items"].as_array().expect("items") {
                records.insert(text(&item["id"]), item.clone());
            }
            match body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return records,
            }
        }
    }
}

fn text(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("a string: {value}"))
        .to_owned()
}

fn version(value: &Value) -> i64 {
    value["version"].as_i64().expect("a version")
}

#[derive(Debug, Clone)]
struct MeetingRecord {
    id: String,
    date: NaiveDate,
}

#[derive(Debug, Clone)]
struct CaseRecord {
    id: String,
    number: String,
    meeting_id: String,
    title: String,
    version: i64,
}

#[derive(Debug, Clone)]
struct DecisionRecord {
    id: String,
    case_id: String,
    position: String,
    text: String,
    status: String,
    status_note: Option<String>,
    owners: Vec<String>,
    version: i64,
    deleted: bool,
}

/// A document imported (or perhaps imported): its meeting, and each case with its points.
#[derive(Debug, Clone)]
struct ImportedMinutes {
    date: NaiveDate,
    cases: Vec<ImportedCase>,
}

#[derive(Debug, Clone)]
struct ImportedCase {
    number: String,
    title: String,
    /// Position and text of each point.
    points: Vec<(String, String)>,
}

/// A write that got no answer.
#[derive(Debug)]
enum Unknown {
    Meeting {
        date: NaiveDate,
    },
    Case {
        number: String,
        meeting_id: String,
        title: String,
    },
    Decision {
        case_id: String,
        position: String,
        text: String,
        owners: Vec<String>,
    },
    StatusNote {
        id: String,
        from: i64,
        status: String,
        note: String,
    },
    Delete {
        id: String,
        from: i64,
    },
    Title {
        id: String,
        from: i64,
        title: String,
    },
    Import(ImportedMinutes),
}

/// One client: its committee, and every write of it the server acknowledged.
struct ClientLog {
    code: String,
    next_day: u64,
    next_serial: u64,
    next_note: u64,
    meetings: Vec<MeetingRecord>,
    cases: Vec<CaseRecord>,
    decisions: Vec<DecisionRecord>,
    /// Minutes whose import was acknowledged; checked whole at every restart.
    imports: Vec<ImportedMinutes>,
    unknown: Option<Unknown>,
    unknown_total: usize,
}

const OWNERS: [&str; 4] = ["Sekretariatet", "Kommunene", "Analysegruppen", "Fagråd 2"];

impl ClientLog {
    fn new(index: usize) -> Self {
        Self {
            code: format!("KR{}", char::from(b'A' + u8::try_from(index).unwrap())),
            next_day: 0,
            next_serial: 1,
            next_note: 1,
            meetings: Vec::new(),
            cases: Vec::new(),
            decisions: Vec::new(),
            imports: Vec::new(),
            unknown: None,
            unknown_total: 0,
        }
    }

    fn new_date(&mut self) -> NaiveDate {
        self.next_day += 1;
        NaiveDate::from_ymd_opt(2030, 1, 1)
            .unwrap()
            .checked_add_days(Days::new(self.next_day))
            .unwrap()
    }

    fn new_number(&mut self, date: NaiveDate) -> String {
        self.next_serial += 1;
        format!("{}/{:02}", self.next_serial, date.year() % 100)
    }

    /// Writes at random until a write gets no answer; returns the acknowledged writes by kind.
    async fn write_until_the_server_dies(
        &mut self,
        api: &Api,
        rng: &mut Rng,
    ) -> BTreeMap<&'static str, usize> {
        let mut acknowledged = BTreeMap::new();
        loop {
            let done = match rng.below(100) {
                0..10 => self.create_meeting(api).await,
                10..25 if !self.meetings.is_empty() => self.create_case(api, rng).await,
                25..50 if !self.cases.is_empty() => self.create_decision(api, rng).await,
                50..72 if self.live_decisions() > 0 => self.change_status(api, rng).await,
                72..80 if !self.cases.is_empty() => self.change_title(api, rng).await,
                80..87 if self.live_decisions() > 0 => self.delete_decision(api, rng).await,
                87..100 => self.import(api, rng).await,
                _ => continue,
            };
            match done {
                Some(kind) => *acknowledged.entry(kind).or_default() += 1,
                None => {
                    self.unknown_total += 1;
                    return acknowledged;
                }
            }
        }
    }

    fn live_decisions(&self) -> usize {
        self.decisions.iter().filter(|d| !d.deleted).count()
    }

    /// The answer to a write, which must be the expected success once it came; `None` when
    /// there was none, after noting what was tried.
    async fn write(
        &mut self,
        api: &Api,
        request: Request,
        expected: u16,
        tried: Unknown,
    ) -> Option<Value> {
        let line = format!("{} {}", request.method, request.path);
        match api.send(request).await {
            Some((status, body, _)) => {
                assert_eq!(status, expected, "{line} (client {}): {body}", self.code);
                Some(body)
            }
            None => {
                self.unknown = Some(tried);
                None
            }
        }
    }

    async fn create_meeting(&mut self, api: &Api) -> Option<&'static str> {
        let date = self.new_date();
        let body =
            json!({"committee": self.code, "date": date, "status": "held", "location": "Teams"});
        let created = self
            .write(
                api,
                Request::new(Method::POST, "/meetings", None, Body::Json(body)),
                201,
                Unknown::Meeting { date },
            )
            .await?;
        assert_eq!(version(&created), 1);
        self.meetings.push(MeetingRecord {
            id: text(&created["id"]),
            date,
        });
        Some("meetings")
    }

    async fn create_case(&mut self, api: &Api, rng: &mut Rng) -> Option<&'static str> {
        let meeting = self.meetings[rng.below(self.meetings.len())].clone();
        let number = self.new_number(meeting.date);
        let title = format!("Krasjtest sak {}", self.next_serial);
        let body = json!({"meeting_id": meeting.id, "number": number, "title": title, "status": "decided"});
        let tried = Unknown::Case {
            number: number.clone(),
            meeting_id: meeting.id.clone(),
            title: title.clone(),
        };
        let created = self
            .write(
                api,
                Request::new(Method::POST, "/cases", None, Body::Json(body)),
                201,
                tried,
            )
            .await?;
        assert_eq!(version(&created), 1);
        self.cases.push(CaseRecord {
            id: text(&created["id"]),
            number,
            meeting_id: meeting.id,
            title,
            version: 1,
        });
        Some("cases")
    }

    async fn create_decision(&mut self, api: &Api, rng: &mut Rng) -> Option<&'static str> {
        let case = self.cases[rng.below(self.cases.len())].clone();
        let position = self
            .decisions
            .iter()
            .filter(|d| d.case_id == case.id)
            .filter_map(|d| d.position.parse::<u32>().ok())
            .max()
            .unwrap_or(0)
            + 1;
        let position = position.to_string();
        let owners: Vec<String> = (0..=rng.below(3))
            .map(|i| OWNERS[(i + rng.below(OWNERS.len())) % OWNERS.len()].to_owned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let text_ = format!(
            "ASU ber {} følge opp punkt {position} i krasjtesten.",
            owners.join(" og ")
        );
        let body = json!({
            "case_id": case.id, "position": position, "kind": "assignment", "text": text_,
            "deadline": "2031-06-30",
            "owners": owners.iter().enumerate()
                .map(|(i, o)| json!({"owner": o, "responsible": i == 0})).collect::<Vec<_>>(),
        });
        let tried = Unknown::Decision {
            case_id: case.id.clone(),
            position: position.clone(),
            text: text_.clone(),
            owners: owners.clone(),
        };
        let created = self
            .write(
                api,
                Request::new(Method::POST, "/decisions", None, Body::Json(body)),
                201,
                tried,
            )
            .await?;
        assert_eq!(version(&created), 1);
        assert_eq!(owner_names(&created), owners);
        self.decisions.push(DecisionRecord {
            id: text(&created["id"]),
            case_id: case.id,
            position,
            text: text_,
            status: text(&created["status"]),
            status_note: None,
            owners,
            version: 1,
            deleted: false,
        });
        Some("decision points")
    }

    fn pick_live(&self, rng: &mut Rng) -> usize {
        let live: Vec<usize> = (0..self.decisions.len())
            .filter(|&i| !self.decisions[i].deleted)
            .collect();
        live[rng.below(live.len())]
    }

    /// A status step (open, in progress, done) with a note, or a new note on a settled point.
    async fn change_status(&mut self, api: &Api, rng: &mut Rng) -> Option<&'static str> {
        let index = self.pick_live(rng);
        let point = self.decisions[index].clone();
        let status = match point.status.as_str() {
            "open" => "in_progress",
            "in_progress" => "done",
            other => other,
        }
        .to_owned();
        self.next_note += 1;
        let note = format!("Krasjtest notat {}", self.next_note);
        let body = if status == point.status {
            json!({"status_note": note})
        } else {
            json!({"status": status, "status_note": note})
        };
        let tried = Unknown::StatusNote {
            id: point.id.clone(),
            from: point.version,
            status: status.clone(),
            note: note.clone(),
        };
        let path = format!("/decisions/{}", point.id);
        let changed = self
            .write(
                api,
                Request::new(Method::PATCH, &path, Some(point.version), Body::Json(body)),
                200,
                tried,
            )
            .await?;
        assert_eq!(version(&changed), point.version + 1, "{changed}");
        assert_eq!(text(&changed["status"]), status);
        let record = &mut self.decisions[index];
        record.version += 1;
        record.status = status;
        record.status_note = Some(note);
        Some("status changes")
    }

    /// A new title, which every point of the case carries in its search text.
    async fn change_title(&mut self, api: &Api, rng: &mut Rng) -> Option<&'static str> {
        let index = rng.below(self.cases.len());
        let case = self.cases[index].clone();
        self.next_note += 1;
        let title = format!(
            "Krasjtest sak {} utgave {}",
            case.number.replace('/', "-"),
            self.next_note
        );
        let tried = Unknown::Title {
            id: case.id.clone(),
            from: case.version,
            title: title.clone(),
        };
        let path = format!("/cases/{}", case.id);
        let body = Body::Json(json!({"title": title}));
        let changed = self
            .write(
                api,
                Request::new(Method::PATCH, &path, Some(case.version), body),
                200,
                tried,
            )
            .await?;
        assert_eq!(version(&changed), case.version + 1, "{changed}");
        let record = &mut self.cases[index];
        record.version += 1;
        record.title = title;
        Some("title changes")
    }

    async fn delete_decision(&mut self, api: &Api, rng: &mut Rng) -> Option<&'static str> {
        let index = self.pick_live(rng);
        let point = self.decisions[index].clone();
        let tried = Unknown::Delete {
            id: point.id.clone(),
            from: point.version,
        };
        let path = format!("/decisions/{}", point.id);
        self.write(
            api,
            Request::new(Method::DELETE, &path, Some(point.version), Body::None),
            204,
            tried,
        )
        .await?;
        let record = &mut self.decisions[index];
        record.version += 1;
        record.deleted = true;
        Some("deletes")
    }

    /// Minutes of a new meeting with 2 to 5 cases of 2 to 4 points: one transaction.
    async fn import(&mut self, api: &Api, rng: &mut Rng) -> Option<&'static str> {
        let date = self.new_date();
        let mut minutes = ImportedMinutes {
            date,
            cases: Vec::new(),
        };
        for _ in 0..rng.range(2, 6) {
            let number = self.new_number(date);
            let title = format!("Importert krasjtestsak {}", self.next_serial);
            let points = (1..=rng.range(2, 5))
                .map(|p| {
                    let text = if p == 1 {
                        "ASU tar saken til orientering.".to_owned()
                    } else {
                        format!(
                            "ASU ber sekretariatet utarbeide notat {p} om saken innen {}.",
                            (date + Days::new(60)).format("%d.%m.%y")
                        )
                    };
                    (p.to_string(), text)
                })
                .collect();
            minutes.cases.push(ImportedCase {
                number,
                title,
                points,
            });
        }
        let document = minutes_document(&self.code, &minutes);
        let tried = Unknown::Import(minutes.clone());
        let result = self
            .write(
                api,
                Request::new(Method::POST, "/imports", None, Body::Text(document)),
                200,
                tried,
            )
            .await?;
        assert_eq!(result["import"]["changed"], true, "{result}");
        self.imports.push(minutes);
        Some("imports")
    }

    /// After a restart: settles the write that got no answer (there and whole, or not there),
    /// then compares everything the service serves for this committee with what was
    /// acknowledged. Returns how many records it compared.
    async fn reconcile_and_verify(&mut self, api: &Api, figures: &mut Figures) -> usize {
        let meetings = api.everything("meetings", &self.code).await;
        let cases = api.everything("cases", &self.code).await;
        let decisions = api.everything("decisions", &self.code).await;
        let who = self.code.clone();

        if let Some(unknown) = self.unknown.take() {
            let applied = self.settle(unknown, &meetings, &cases, &decisions);
            figures.unknown_applied += usize::from(applied);
        }
        // Points and cases an import wrote are followed like the others from now on.
        for minutes in self.imports.clone() {
            self.adopt_minutes(&minutes, &meetings, &cases, &decisions, true);
        }

        nothing_unwritten(&who, &meetings, self.meetings.iter().map(|m| &m.id));
        for m in &self.meetings {
            let served = meetings
                .get(&m.id)
                .unwrap_or_else(|| panic!("{who}: acknowledged meeting {m:?} is gone"));
            assert_eq!(text(&served["date"]), m.date.to_string(), "{who}: {served}");
            assert_eq!(version(served), 1, "{who}: {served}");
            assert!(served["deleted_at"].is_null(), "{who}: {served}");
            let on_agenda = self.cases.iter().filter(|c| c.meeting_id == m.id).count();
            assert_eq!(served["case_count"], on_agenda, "{who}: {served}");
        }

        nothing_unwritten(&who, &cases, self.cases.iter().map(|c| &c.id));
        for c in &self.cases {
            let served = cases
                .get(&c.id)
                .unwrap_or_else(|| panic!("{who}: acknowledged case {c:?} is gone"));
            assert_eq!(
                (
                    version(served),
                    text(&served["title"]),
                    text(&served["number"]),
                    text(&served["meeting"]["id"]),
                ),
                (
                    c.version,
                    c.title.clone(),
                    c.number.clone(),
                    c.meeting_id.clone()
                ),
                "{who}: {served}"
            );
            let points = self
                .decisions
                .iter()
                .filter(|d| d.case_id == c.id && !d.deleted)
                .count();
            assert_eq!(served["decision_count"], points, "{who}: {served}");
        }

        nothing_unwritten(&who, &decisions, self.decisions.iter().map(|d| &d.id));
        for d in &self.decisions {
            let served = decisions
                .get(&d.id)
                .unwrap_or_else(|| panic!("{who}: acknowledged point {d:?} is gone"));
            assert_eq!(
                (
                    version(served),
                    text(&served["status"]),
                    served["status_note"].as_str().map(str::to_owned),
                    served["deleted_at"].is_string(),
                    text(&served["text"]),
                    text(&served["position"]),
                    text(&served["case"]["id"]),
                    owner_names(served),
                ),
                (
                    d.version,
                    d.status.clone(),
                    d.status_note.clone(),
                    d.deleted,
                    d.text.clone(),
                    d.position.clone(),
                    d.case_id.clone(),
                    d.owners.clone(),
                ),
                "{who}: {served}"
            );
        }
        meetings.len() + cases.len() + decisions.len()
    }

    /// Decides what became of a write that got no answer; returns whether it was applied.
    fn settle(
        &mut self,
        unknown: Unknown,
        meetings: &HashMap<String, Value>,
        cases: &HashMap<String, Value>,
        decisions: &HashMap<String, Value>,
    ) -> bool {
        let who = self.code.clone();
        match unknown {
            Unknown::Meeting { date } => {
                let found = meetings
                    .values()
                    .find(|m| text(&m["date"]) == date.to_string());
                if let Some(found) = found {
                    assert_eq!(version(found), 1, "{who}: {found}");
                    self.meetings.push(MeetingRecord {
                        id: text(&found["id"]),
                        date,
                    });
                }
                found.is_some()
            }
            Unknown::Case {
                number,
                meeting_id,
                title,
            } => {
                let found = cases.values().find(|c| text(&c["number"]) == number);
                if let Some(found) = found {
                    assert_eq!(
                        (
                            version(found),
                            text(&found["title"]),
                            text(&found["meeting"]["id"])
                        ),
                        (1, title.clone(), meeting_id.clone()),
                        "{who}: {found}"
                    );
                    self.cases.push(CaseRecord {
                        id: text(&found["id"]),
                        number,
                        meeting_id,
                        title,
                        version: 1,
                    });
                }
                found.is_some()
            }
            Unknown::Decision {
                case_id,
                position,
                text: text_,
                owners,
            } => {
                let known: HashSet<&str> = self.decisions.iter().map(|d| d.id.as_str()).collect();
                let found = decisions.values().find(|d| {
                    !known.contains(text(&d["id"]).as_str())
                        && text(&d["case"]["id"]) == case_id
                        && text(&d["position"]) == position
                });
                if let Some(found) = found {
                    assert_eq!(
                        (version(found), text(&found["text"]), owner_names(found)),
                        (1, text_.clone(), owners.clone()),
                        "{who}: a point written in part? {found}"
                    );
                    self.decisions.push(DecisionRecord {
                        id: text(&found["id"]),
                        case_id,
                        position,
                        text: text_,
                        status: text(&found["status"]),
                        status_note: None,
                        owners,
                        version: 1,
                        deleted: false,
                    });
                }
                found.is_some()
            }
            Unknown::StatusNote {
                id,
                from,
                status,
                note,
            } => {
                let served = &decisions[&id];
                let record = self.decisions.iter_mut().find(|d| d.id == id).unwrap();
                let applied = version(served) == from + 1;
                if applied {
                    assert_eq!(
                        (text(&served["status"]), served["status_note"].as_str()),
                        (status.clone(), Some(note.as_str())),
                        "{who}: a status change written in part? {served}"
                    );
                    record.version += 1;
                    record.status = status;
                    record.status_note = Some(note);
                } else {
                    assert_eq!(version(served), from, "{who}: {served}");
                }
                applied
            }
            Unknown::Delete { id, from } => {
                let served = &decisions[&id];
                let record = self.decisions.iter_mut().find(|d| d.id == id).unwrap();
                let applied = version(served) == from + 1;
                if applied {
                    assert!(served["deleted_at"].is_string(), "{who}: {served}");
                    record.version += 1;
                    record.deleted = true;
                } else {
                    assert_eq!(version(served), from, "{who}: {served}");
                }
                applied
            }
            Unknown::Title { id, from, title } => {
                let served = &cases[&id];
                let record = self.cases.iter_mut().find(|c| c.id == id).unwrap();
                let applied = version(served) == from + 1;
                if applied {
                    assert_eq!(text(&served["title"]), title, "{who}: {served}");
                    record.version += 1;
                    record.title = title;
                } else {
                    assert_eq!(version(served), from, "{who}: {served}");
                }
                applied
            }
            Unknown::Import(minutes) => {
                let applied = self.adopt_minutes(&minutes, meetings, cases, decisions, false);
                if applied {
                    self.imports.push(minutes);
                }
                applied
            }
        }
    }

    /// Checks that imported minutes are there whole (or, when `must` is false, wholly absent),
    /// and follows their records from now on. Returns whether they are there.
    fn adopt_minutes(
        &mut self,
        minutes: &ImportedMinutes,
        meetings: &HashMap<String, Value>,
        cases: &HashMap<String, Value>,
        decisions: &HashMap<String, Value>,
        must: bool,
    ) -> bool {
        let who = self.code.clone();
        let meeting = meetings
            .values()
            .find(|m| text(&m["date"]) == minutes.date.to_string());
        let Some(meeting) = meeting else {
            assert!(
                !must,
                "{who}: acknowledged minutes of {} are gone",
                minutes.date
            );
            for ImportedCase { number, .. } in &minutes.cases {
                assert!(
                    !cases.values().any(|c| text(&c["number"]) == *number),
                    "{who}: case {number} of minutes that are not there (half an import)"
                );
            }
            return false;
        };
        let meeting_id = text(&meeting["id"]);
        if !self.meetings.iter().any(|m| m.id == meeting_id) {
            self.meetings.push(MeetingRecord {
                id: meeting_id.clone(),
                date: minutes.date,
            });
        }
        for ImportedCase {
            number,
            title,
            points,
        } in &minutes.cases
        {
            let case = cases
                .values()
                .find(|c| text(&c["number"]) == *number)
                .unwrap_or_else(|| panic!("{who}: case {number} of imported minutes is missing"));
            let case_id = text(&case["id"]);
            assert_eq!(text(&case["meeting"]["id"]), meeting_id, "{who}: {case}");
            if !self.cases.iter().any(|c| c.id == case_id) {
                assert_eq!(text(&case["title"]), *title, "{who}: {case}");
                self.cases.push(CaseRecord {
                    id: case_id.clone(),
                    number: number.clone(),
                    meeting_id: meeting_id.clone(),
                    title: title.clone(),
                    version: version(case),
                });
            }
            for (position, point_text) in points {
                let point = decisions
                    .values()
                    .find(|d| {
                        text(&d["case"]["id"]) == case_id && text(&d["position"]) == *position
                    })
                    .unwrap_or_else(|| {
                        panic!("{who}: point {number}-{position} of imported minutes is missing")
                    });
                let id = text(&point["id"]);
                if !self.decisions.iter().any(|d| d.id == id) {
                    assert_eq!(text(&point["text"]), *point_text, "{who}: {point}");
                    self.decisions.push(DecisionRecord {
                        id,
                        case_id: case_id.clone(),
                        position: position.clone(),
                        text: point_text.clone(),
                        status: text(&point["status"]),
                        status_note: point["status_note"].as_str().map(str::to_owned),
                        owners: owner_names(point),
                        version: version(point),
                        deleted: false,
                    });
                }
            }
        }
        true
    }
}

/// Asserts that the service serves no record but those known to be written: one there without
/// an acknowledgement or a settled unknown write would be half of an import, or invented.
fn nothing_unwritten<'a>(
    who: &str,
    served: &HashMap<String, Value>,
    known: impl Iterator<Item = &'a String>,
) {
    let known: HashSet<&String> = known.collect();
    for (id, record) in served {
        assert!(known.contains(id), "{who}: a record nobody wrote: {record}");
    }
}

fn owner_names(point: &Value) -> Vec<String> {
    let mut names: Vec<String> = point["owners"]
        .as_array()
        .expect("owners")
        .iter()
        .map(|o| text(&o["name"]))
        .collect();
    names.sort();
    names
}

/// Minutes as the secretariat writes them, for the importer.
fn minutes_document(code: &str, minutes: &ImportedMinutes) -> String {
    let mut document = format!(
        "MØTEREFERAT - KRASJTESTUTVALG ({code})\n\nMøtedato: {}\nMøtested: Teams\n\nSakliste\n",
        minutes.date.format("%d.%m.%y")
    );
    for ImportedCase { number, title, .. } in &minutes.cases {
        document.push_str(&format!("{number} {title}\n"));
    }
    for ImportedCase {
        number,
        title,
        points,
    } in &minutes.cases
    {
        document.push_str(&format!(
            "\nSak: {number} {title}\nSaksansvarlig: Runar Asp\n\nVedtak:\n"
        ));
        for (position, text) in points {
            document.push_str(&format!("{position}. {text}\n"));
        }
    }
    document
}

/// One text column of a row, named `line`.
#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// A connection of the test's own to the database, beside (or after) the service.
enum Checker {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Checker {
    /// The `line` column of every row the query gives.
    fn lines(&mut self, sql: &str) -> Vec<String> {
        let rows = match self {
            Checker::Sqlite(c) => diesel::sql_query(sql).load::<Line>(c),
            Checker::Postgres(c) => diesel::sql_query(sql).load::<Line>(c),
        };
        rows.unwrap_or_else(|e| panic!("{sql}: {e}"))
            .into_iter()
            .map(|l| l.line)
            .collect()
    }

    /// Asserts that the query finds nothing: it asks for the rows that break a rule.
    #[track_caller]
    fn none(&mut self, what: &str, sql: &str) {
        let found = self.lines(sql);
        assert!(found.is_empty(), "{what}: {found:?}");
    }
}

/// Checks the database as it lies on disk: the engine's own checks, and the rules every write
/// keeps in one transaction (a record and its history, a point and its copies of its case).
fn check_database(database: &Database) {
    let mut checker = match database {
        Database::Sqlite(path) => {
            let mut checker =
                Checker::Sqlite(SqliteConnection::establish(path).expect("the file opens"));
            assert_eq!(
                checker.lines("SELECT integrity_check AS line FROM pragma_integrity_check()"),
                ["ok"],
                "PRAGMA integrity_check"
            );
            checker.none(
                "PRAGMA foreign_key_check",
                "SELECT \"table\" || ' row ' || rowid || ' -> ' || parent AS line \
                 FROM pragma_foreign_key_check()",
            );
            if let Checker::Sqlite(conn) = &mut checker {
                conn.batch_execute(
                    "INSERT INTO decision_search (decision_search) VALUES ('integrity-check')",
                )
                .expect("the full-text index is whole");
            }
            checker.none(
                "points whose search entry is missing or stale",
                "SELECT d.id AS line FROM decisions d LEFT JOIN decision_search_docs s \
                 ON s.decision_id = d.id WHERE s.body IS NULL OR s.body <> d.search_text",
            );
            checker
        }
        Database::Postgres(url) => {
            Checker::Postgres(PgConnection::establish(url).expect("PostgreSQL answers"))
        }
    };
    // Versions 1..=version, one entry each, created first, deleted last when deleted.
    for (table, entity) in [
        ("committees", "committee"),
        ("meetings", "meeting"),
        ("cases", "case"),
        ("decisions", "decision"),
    ] {
        let c = format!("FROM history h WHERE h.entity = '{entity}' AND h.entity_id = r.id");
        checker.none(
            &format!("{table} whose history does not match them"),
            &format!(
                "SELECT r.id AS line FROM {table} r WHERE \
                 r.version <> (SELECT COUNT(*) {c}) \
                 OR r.version <> (SELECT COUNT(DISTINCT h.version) {c}) \
                 OR r.version <> (SELECT MAX(h.version) {c}) \
                 OR NOT EXISTS (SELECT 1 {c} AND h.version = 1 AND h.action = 'created') \
                 OR (r.deleted_at IS NOT NULL) <> \
                    EXISTS (SELECT 1 {c} AND h.version = r.version AND h.action = 'deleted')"
            ),
        );
        checker.none(
            &format!("history of {table} that are not there"),
            &format!(
                "SELECT h.entity_id AS line FROM history h WHERE h.entity = '{entity}' \
                 AND NOT EXISTS (SELECT 1 FROM {table} r WHERE r.id = h.entity_id)"
            ),
        );
    }
    checker.none(
        "points whose copies of their case's number or title are stale",
        "SELECT d.id AS line FROM decisions d JOIN cases c ON c.id = d.case_id \
         JOIN committees k ON k.id = c.committee_id \
         WHERE d.case_committee <> k.code OR d.case_year <> c.case_year \
         OR d.case_serial <> c.case_serial OR d.search_text NOT LIKE '%' || c.title || '%'",
    );
    checker.none(
        "imported values of records that are not there",
        "SELECT v.entity_id AS line FROM imported_values v WHERE \
         (v.entity = 'meeting' AND NOT EXISTS (SELECT 1 FROM meetings r WHERE r.id = v.entity_id)) \
         OR (v.entity = 'case' AND NOT EXISTS (SELECT 1 FROM cases r WHERE r.id = v.entity_id)) \
         OR (v.entity = 'decision' AND NOT EXISTS (SELECT 1 FROM decisions r WHERE r.id = v.entity_id))",
    );
}
