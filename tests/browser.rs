//! The pages in a real browser: headless Chromium driven through WebDriver (`chromedriver`),
//! against the real binary on a real database (a fresh SQLite file, and a PostgreSQL database of
//! its own when `VEDTAKSLOGG_TEST_POSTGRES_URL` is set). Accounts are made with the CLI, the
//! minutes of 19.06.2024 are imported (through the API with an editor's token, or by the editor
//! on the import page in the first flow), and every page is checked with axe-core (vendored in
//! tests/fixtures/axe/) at 1280 and 390 px.
//!
//! Without chromium or chromedriver (found on PATH, in /usr/bin, or where
//! `VEDTAKSLOGG_CHROMIUM` and `VEDTAKSLOGG_CHROMEDRIVER` say) the tests say that they were
//! skipped; with `VEDTAKSLOGG_REQUIRE_BROWSER=1` (CI) they fail instead.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const POSTGRES_URL_VAR: &str = "VEDTAKSLOGG_TEST_POSTGRES_URL";
const REQUIRE_VAR: &str = "VEDTAKSLOGG_REQUIRE_BROWSER";
const PASSWORD: &str = "et langt nok passord";
const MINUTES: &str = "tests/fixtures/asu-2024-06-19-referat.txt";
const MINUTES_DOCX: &str = "tests/fixtures/asu-2024-06-19-referat.docx";
const AXE: &str = include_str!("fixtures/axe/axe.min.js");

/// Browsers are heavy on a small machine: at most two tests drive them at once.
static SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Each flow as one test per backend; the PostgreSQL one is skipped without the variable.
macro_rules! on_both_backends {
    ($($flow:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $flow() {
                    super::$flow(super::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $flow() {
                    super::$flow(super::Backend::Postgres).await;
                }
            )*
        }
    };
}

on_both_backends!(
    an_editor_imports_the_minutes_through_the_preview_and_sets_a_point_in_progress,
    the_second_of_two_editors_sees_the_first_ones_change_and_keeps_what_they_typed,
    a_reader_sees_the_overview_and_the_list_without_edit_controls,
    anonymous_visitors_are_sent_to_sign_in_and_a_wrong_password_is_told_clearly,
    with_public_reading_anonymous_visitors_never_see_a_point_that_is_not_public,
    a_form_without_its_csrf_token_or_after_the_session_expired_changes_nothing,
    axe_finds_no_violations_on_any_page_at_either_width,
);

#[derive(Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

/// The browser and its driver, found on PATH or where Debian puts them.
struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

impl Tools {
    /// `None` (after saying so) when a tool is missing and the browser is not required.
    fn find() -> Option<Self> {
        let find = |names: &[&str]| {
            names.iter().find_map(|name| {
                std::env::var_os("PATH")
                    .into_iter()
                    .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
                    .chain([
                        PathBuf::from("/usr/bin"),
                        PathBuf::from("/usr/lib/chromium"),
                    ])
                    .map(|dir| dir.join(name))
                    .find(|path| path.is_file())
            })
        };
        // A path set in the environment is taken as it is (and is missing if it is not a file).
        let named = |var: &str, names: &[&str]| match std::env::var_os(var) {
            Some(path) => Some(PathBuf::from(path)).filter(|p| p.is_file()),
            None => find(names),
        };
        let chromium = named(
            "VEDTAKSLOGG_CHROMIUM",
            &["chromium", "chromium-browser", "google-chrome"],
        );
        let chromedriver = named("VEDTAKSLOGG_CHROMEDRIVER", &["chromedriver"]);
        match (chromium, chromedriver) {
            (Some(chromium), Some(chromedriver)) => Some(Self {
                chromium,
                chromedriver,
            }),
            _ => {
                let message = "chromium and chromedriver are needed for the browser tests \
                               (Debian: apt-get install chromium chromium-driver)";
                if std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "1") {
                    panic!("{message}, and {REQUIRE_VAR}=1 requires them");
                }
                eprintln!("skipped: {message}");
                None
            }
        }
    }
}

/// A database for one test: a SQLite file in a temporary directory, or a PostgreSQL database of
/// its own (the service's writers lock per database), dropped afterwards.
enum Database {
    /// The directory (removed on drop) and the file's path.
    Sqlite(#[allow(dead_code)] tempfile::TempDir, String),
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

impl Database {
    /// `None` (after saying so) for PostgreSQL when the variable is not set.
    fn create(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let path = dir.path().join("browser.sqlite3");
                let path = path.to_str().expect("a UTF-8 path").to_owned();
                Some(Database::Sqlite(dir, path))
            }
            Backend::Postgres => {
                let Some(admin_url) = std::env::var(POSTGRES_URL_VAR)
                    .ok()
                    .filter(|u| !u.trim().is_empty())
                else {
                    eprintln!(
                        "skipped: set {POSTGRES_URL_VAR} to run the browser tests on PostgreSQL"
                    );
                    return None;
                };
                let name = format!("browser_{}", uuid::Uuid::new_v4().simple());
                let mut conn = PgConnection::establish(&admin_url).unwrap_or_else(|e| {
                    panic!("PostgreSQL at {POSTGRES_URL_VAR} is unreachable: {e}")
                });
                conn.batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("a database of its own");
                // postgres://user@host:port/db?query: the database is the last path segment.
                let (base, query) = admin_url
                    .split_once('?')
                    .map_or((admin_url.as_str(), None), |(b, q)| (b, Some(q)));
                let (scheme, rest) = base.split_once("://").expect("a postgres:// URL");
                let authority = rest.split_once('/').map_or(rest, |(a, _)| a);
                let url = format!(
                    "{scheme}://{authority}/{name}{}",
                    query.map(|q| format!("?{q}")).unwrap_or_default()
                );
                Some(Database::Postgres {
                    admin_url,
                    name,
                    url,
                })
            }
        }
    }

    /// SQL run directly on the database, for what no page or command does (as time passing).
    fn execute(&self, sql: &str) {
        let done = match self {
            Database::Sqlite(_, path) => SqliteConnection::establish(path)
                .expect("the SQLite database opens")
                .batch_execute(sql),
            Database::Postgres { url, .. } => PgConnection::establish(url)
                .expect("the PostgreSQL database opens")
                .batch_execute(sql),
        };
        done.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    fn url(&self) -> &str {
        match self {
            Database::Sqlite(_, path) => path,
            Database::Postgres { url, .. } => url,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Database::Postgres {
            admin_url, name, ..
        } = self
            && let Ok(mut conn) = PgConnection::establish(admin_url)
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// The CLI against the test's database; panics with what it printed when it fails.
fn cli(database: &Database, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_vedtakslogg"))
        .args(args)
        .env("DATABASE_URL", database.url())
        .env("VEDTAKSLOGG_PASSWORD", PASSWORD)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    let out = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "vedtakslogg {args:?} failed: {out}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

/// A child process that is killed when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The real server on a free port; `base` is its address, as `http://127.0.0.1:PORT`.
fn serve(database: &Database, public_read: bool) -> (Running, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vedtakslogg"));
    command
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", database.url())
        .env("RUST_LOG", "info")
        .env(
            "VEDTAKSLOGG_PUBLIC_READ",
            if public_read { "true" } else { "false" },
        )
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("the binary starts");
    let stderr = child.stderr.take().expect("its standard error");
    let child = Running(child);
    let (lines_tx, lines_rx) = mpsc::channel();
    // Reads on for as long as the server runs, so that it never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut log = String::new();
    loop {
        match lines_rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) if line.contains("is serving at http://") => {
                let address = line
                    .split("http://")
                    .nth(1)
                    .and_then(|rest| rest.split('/').next())
                    .expect("an address");
                return (child, format!("http://{address}"));
            }
            Ok(line) => {
                log.push_str(&line);
                log.push('\n');
            }
            Err(_) => panic!("the server never said where it serves:\n{log}"),
        }
    }
}

/// chromedriver on a free port; returns its URL once it answers.
fn start_driver(tools: &Tools) -> (Running, String) {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(&tools.chromedriver)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let child = Running(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver never answered");
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, format!("http://127.0.0.1:{port}"))
}

/// One HTTP/1.1 request to the server with std alone; returns the status and the body.
fn http(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).expect("the server answers");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .expect("the request is sent");
    stream.write_all(body).expect("the body is sent");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("an answer");
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// Everything a flow needs: the server on a seeded database with an editor and a reader, and
/// chromedriver. Dropped in reverse: the driver, the server, then the database.
struct Site {
    base: String,
    /// An editor's API token, for what the test arranges through the API.
    token: String,
    driver_url: String,
    chromium: PathBuf,
    _driver: Running,
    _server: Running,
    database: Database,
    _slot: tokio::sync::SemaphorePermit<'static>,
}

const EDITOR: &str = "kari@kommune.no";
const SECOND_EDITOR: &str = "ola@kommune.no";
const READER: &str = "au@kommune.no";
const ADMIN: &str = "admin@kommune.no";

impl Site {
    /// `None` when the test is skipped (no browser, or no PostgreSQL for its backend). The
    /// minutes of 19.06.2024 are imported through the API.
    async fn start(backend: Backend, public_read: bool) -> Option<Self> {
        Self::start_with(backend, public_read, true).await
    }

    /// As [`Site::start`], with the log empty unless `imported`.
    async fn start_with(backend: Backend, public_read: bool, imported: bool) -> Option<Self> {
        let tools = Tools::find()?;
        let database = Database::create(backend)?;
        let slot = SLOTS.acquire().await.expect("the semaphore stays open");
        for (email, name, role) in [
            (EDITOR, "Kari Nordmann", "editor"),
            (SECOND_EDITOR, "Ola Nordmann", "editor"),
            (READER, "Anne AU", "reader"),
            (ADMIN, "Ada Admin", "admin"),
        ] {
            cli(
                &database,
                &[
                    "user", "create", "--email", email, "--name", name, "--role", role,
                ],
            );
        }
        let out = cli(
            &database,
            &[
                "token",
                "create",
                "--name",
                "Sekretariatet",
                "--role",
                "editor",
            ],
        );
        let secret = out
            .split_whitespace()
            .find(|word| word.starts_with("vl_"))
            .expect("the token's secret is printed")
            .to_owned();
        let (server, base) = serve(&database, public_read);
        if imported {
            let minutes = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(MINUTES))
                .expect("the minutes of 19.06.2024");
            let (status, body) = http(
                &base,
                "POST",
                "/api/v1/imports",
                &[
                    ("Authorization", &format!("Bearer {secret}")),
                    ("Content-Type", "text/plain; charset=utf-8"),
                ],
                &minutes,
            );
            assert!((200..300).contains(&status), "the import: {status} {body}");
        }
        let (driver, driver_url) = start_driver(&tools);
        Some(Self {
            base,
            token: secret,
            driver_url,
            chromium: tools.chromium,
            _driver: driver,
            _server: server,
            database,
            _slot: slot,
        })
    }

    /// One call to the API with the editor's token; the status and the JSON it answered.
    fn api(&self, method: &str, path: &str, extra: &[(&str, &str)], body: &Value) -> (u16, Value) {
        let authorization = format!("Bearer {}", self.token);
        let mut headers = vec![
            ("Authorization", authorization.as_str()),
            ("Content-Type", "application/json"),
        ];
        headers.extend_from_slice(extra);
        let body = if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        let (status, text) = http(&self.base, method, path, &headers, &body);
        let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"));
        (status, json)
    }

    /// Makes the point `number`-`position` of ASU's minutes exempt from public access; its id.
    fn hide(&self, number: &str, position: &str) -> String {
        let (status, page) = self.api(
            "GET",
            "/api/v1/decisions?committee=ASU&limit=100",
            &[],
            &Value::Null,
        );
        assert_eq!(status, 200, "{page}");
        let point = page["items"]
            .as_array()
            .expect("a page of points")
            .iter()
            .find(|d| d["case"]["number"] == number && d["position"] == position)
            .unwrap_or_else(|| panic!("{number}-{position} was imported"))
            .clone();
        let id = point["id"].as_str().expect("an id").to_owned();
        let etag = format!("\"{}\"", point["version"]);
        let (status, changed) = self.api(
            "PATCH",
            &format!("/api/v1/decisions/{id}"),
            &[("If-Match", &etag)],
            &json!({"public": false}),
        );
        assert_eq!(status, 200, "{changed}");
        id
    }

    /// A new browser session (its own cookies), 1280 px wide.
    async fn browser(&self) -> Browser {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": self.chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=nb"],
            }),
        );
        let client = ClientBuilder::native()
            .capabilities(capabilities)
            .connect(&self.driver_url)
            .await
            .expect("a browser session");
        Browser {
            client,
            base: self.base.clone(),
        }
    }
}

/// One browser session on the site.
struct Browser {
    client: Client,
    base: String,
}

impl Browser {
    async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("{path} opens: {e}"));
    }

    /// The path (and query) the browser is on.
    async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("a URL");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} is on the page: {e}"))
            .text()
            .await
            .expect("its text")
    }

    async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .expect("a search")
            .len()
    }

    async fn fill(&self, css: &str, value: &str) {
        let field = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} is on the page: {e}"));
        field.clear().await.expect("the field clears");
        field.send_keys(value).await.expect("typing");
    }

    /// Picks the option of a select by its value.
    async fn choose(&self, css: &str, value: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} is on the page: {e}"))
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("{value} is a choice in {css}: {e}"));
    }

    /// What a field holds now (typed or chosen).
    async fn value(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} is on the page: {e}"))
            .prop("value")
            .await
            .expect("its value")
            .unwrap_or_default()
    }

    /// Clicks and waits for the page it leads to.
    async fn submit(&self, css: &str) {
        let button = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} is on the page: {e}"));
        button.click().await.expect("a click");
        // The old page's button goes stale once the next page is there.
        let deadline = Instant::now() + Duration::from_secs(20);
        while button.is_enabled().await.is_ok() {
            assert!(Instant::now() < deadline, "{css} led to no new page");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Submits a form (as pressing Enter would) and waits for the page it leads to.
    async fn submit_form(&self, css: &str) {
        let form = self
            .client
            .form(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} is on the page: {e}"));
        let old = self
            .client
            .find(Locator::Css("body"))
            .await
            .expect("a body");
        form.submit_direct().await.expect("the form is sent");
        let deadline = Instant::now() + Duration::from_secs(20);
        while old.is_enabled().await.is_ok() {
            assert!(Instant::now() < deadline, "{css} led to no new page");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Signs in through the form; the browser ends where the form sends it.
    async fn sign_in(&self, email: &str, password: &str) {
        self.open("/logg-inn").await;
        self.fill("#epost", email).await;
        self.fill("#passord", password).await;
        self.submit("form[action='/logg-inn'] button[type=submit]")
            .await;
    }

    /// Chooses the minutes of 19.06.2024 (the Word file) on the import page and asks for the
    /// preview; the browser ends on the preview.
    async fn preview_minutes(&self) {
        self.open("/importer").await;
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(MINUTES_DOCX);
        self.client
            .find(Locator::Css("#felt-dokument"))
            .await
            .expect("the file field")
            .send_keys(file.to_str().expect("a path in UTF-8"))
            .await
            .expect("the file is chosen");
        self.submit("form[action='/importer'] button[type=submit]")
            .await;
    }

    /// The page of the point whose link in the list reads `label` (as "ASU 24/24-2").
    async fn open_point(&self, label: &str) -> String {
        self.open("/vedtakspunkter?utvalg=ASU").await;
        let link = self
            .client
            .find(Locator::LinkText(label))
            .await
            .unwrap_or_else(|e| panic!("{label} is in the list: {e}"));
        let href = link.attr("href").await.expect("an href").expect("a link");
        self.open(&href).await;
        href
    }

    async fn close(self) {
        let _ = self.client.close().await;
    }
}

async fn an_editor_imports_the_minutes_through_the_preview_and_sets_a_point_in_progress(
    backend: Backend,
) {
    let Some(site) = Site::start_with(backend, false, false).await else {
        return;
    };
    let editor = site.browser().await;
    editor.sign_in(EDITOR, PASSWORD).await;
    assert_eq!(editor.path().await, "/");
    assert!(
        editor
            .text(".vl-account__name")
            .await
            .contains("Kari Nordmann")
    );

    // The minutes through the import page: the preview first, nothing written yet.
    assert_eq!(editor.count("nav a[href='/importer']").await, 1);
    editor.preview_minutes().await;
    assert!(
        editor
            .text("h1")
            .await
            .starts_with("Forhåndsvisning: møtereferat ASU 19.06.2024"),
        "the preview of the minutes"
    );
    assert!(editor.text("main").await.contains("24/24-2"));
    editor.open("/vedtakspunkter").await;
    assert_eq!(
        editor.text("#treff").await,
        "0 vedtakspunkter",
        "nothing yet"
    );
    editor.preview_minutes().await;
    editor
        .submit("form[action^='/importer/'] button[type=submit]")
        .await;
    assert!(editor.path().await.starts_with("/moter/"), "on the meeting");
    assert!(
        editor
            .text("[role=status]")
            .await
            .contains("Importen er lagret"),
        "the meeting says what the import did"
    );

    // The minutes' work: the points that need follow-up are all open.
    editor.open("/vedtakspunkter?status=open&utvalg=ASU").await;
    let heading = editor.text("#treff").await;
    assert_eq!(heading, "8 vedtakspunkter", "the list after the import");

    let point = editor.open_point("ASU 24/24-2").await;
    editor.choose("#felt-status", "in_progress").await;
    editor
        .fill(
            "#felt-merknad",
            "Arbeidsgruppen er satt ned; første møte i august.",
        )
        .await;
    editor.submit("#endre ~ form button[type=submit]").await;

    assert!(editor.path().await.starts_with(&point), "back on the point");
    assert!(
        editor
            .text("[role=status]")
            .await
            .contains("Endringen er lagret")
    );
    assert_eq!(editor.text(".vl-facts .ds-tag").await, "Pågår");
    let history = editor.text(".vl-timeline").await;
    assert!(
        history.contains("av Kari Nordmann")
            && history.contains("Åpen → Pågår")
            && history.contains("Arbeidsgruppen er satt ned; første møte i august."),
        "the history names the person, the change and the note:\n{history}"
    );
    editor.close().await;
}

async fn the_second_of_two_editors_sees_the_first_ones_change_and_keeps_what_they_typed(
    backend: Backend,
) {
    let Some(site) = Site::start(backend, false).await else {
        return;
    };
    let (first, second) = (site.browser().await, site.browser().await);
    first.sign_in(EDITOR, PASSWORD).await;
    second.sign_in(SECOND_EDITOR, PASSWORD).await;
    let point = first.open_point("ASU 24/24-2").await;
    second.open(&point).await;

    first.choose("#felt-status", "in_progress").await;
    first.fill("#felt-merknad", "Kari: startet").await;
    first.submit("#endre ~ form button[type=submit]").await;
    assert!(
        first
            .text("[role=status]")
            .await
            .contains("Endringen er lagret")
    );

    // The second still has the version they opened in the form.
    second.choose("#felt-status", "done").await;
    second
        .fill("#felt-merknad", "Ola: ferdig, se rapport")
        .await;
    second.fill("#felt-frist", "01.12.2024").await;
    second.submit("#endre ~ form button[type=submit]").await;

    let warning = second.text(".ds-alert[data-color=warning]").await;
    assert!(
        warning.contains("Noen andre har endret punktet")
            && warning.contains("Kari Nordmann")
            && warning.contains("Kari: startet")
            && warning.contains("Ola: ferdig, se rapport"),
        "the second sees the first one's change beside their own:\n{warning}"
    );
    assert_eq!(
        second.value("#felt-merknad").await,
        "Ola: ferdig, se rapport"
    );
    assert_eq!(second.value("#felt-frist").await, "01.12.2024");
    assert_eq!(second.value("#felt-status").await, "done");

    // Nothing was overwritten: the point is as the first one left it.
    first.open(&point).await;
    assert_eq!(first.text(".vl-facts .ds-tag").await, "Pågår");
    let history = first.text(".vl-timeline").await;
    assert!(
        history.contains("Kari: startet") && !history.contains("Ola: ferdig"),
        "{history}"
    );
    first.close().await;
    second.close().await;
}

async fn a_reader_sees_the_overview_and_the_list_without_edit_controls(backend: Backend) {
    let Some(site) = Site::start(backend, false).await else {
        return;
    };
    let reader = site.browser().await;
    reader.sign_in(READER, PASSWORD).await;
    assert_eq!(reader.path().await, "/");
    assert_eq!(reader.text("h1").await, "Oversikt");
    assert!(reader.text(".vl-figures").await.contains("Åpne"));
    assert!(
        reader
            .count("#per-ansvarlig ~ .vl-table-wrap tbody tr")
            .await
            > 0
    );

    reader.open("/vedtakspunkter").await;
    assert!(
        reader.count("table tbody tr").await >= 8,
        "the list shows the points"
    );
    let point = reader.open_point("ASU 24/24-2").await;
    assert_eq!(
        reader.count("#endre").await,
        0,
        "no form to change the point"
    );
    assert_eq!(
        reader
            .count("select, textarea, form[method=post] [name=status]")
            .await,
        0,
        "no edit controls"
    );

    // A form made by hand, with the reader's own CSRF token, posted as the page's own would be
    // (the Content Security Policy lets no script fetch): refused, and nothing changes.
    reader
        .client
        .execute(
            "const form = document.createElement('form');
             form.method = 'post';
             form.action = arguments[0];
             const fields = {csrf: document.querySelector('input[name=csrf]').value,
                             versjon: '1', status: 'done', merknad: 'forfalsket', frist: ''};
             for (const [name, value] of Object.entries(fields)) {
               const input = document.createElement('input');
               input.type = 'hidden'; input.name = name; input.value = value;
               form.append(input);
             }
             document.body.append(form);
             form.id = 'forfalsket';",
            vec![json!(point)],
        )
        .await
        .expect("the script runs");
    reader.submit_form("#forfalsket").await;
    assert_eq!(reader.text("h1").await, "Du har ikke tilgang til dette");
    reader.open(&point).await;
    assert_eq!(reader.text(".vl-facts .ds-tag").await, "Åpen");
    reader.close().await;
}

async fn anonymous_visitors_are_sent_to_sign_in_and_a_wrong_password_is_told_clearly(
    backend: Backend,
) {
    let Some(site) = Site::start(backend, false).await else {
        return;
    };
    let visitor = site.browser().await;
    for page in ["/", "/vedtakspunkter"] {
        visitor.open(page).await;
        let path = visitor.path().await;
        assert!(
            path.starts_with("/logg-inn"),
            "{page} sends to sign in: {path}"
        );
        assert_eq!(visitor.text("h1").await, "Logg inn");
    }

    visitor.sign_in(EDITOR, "feil passord").await;
    assert!(visitor.path().await.starts_with("/logg-inn"));
    let summary = visitor.text(".ds-error-summary").await;
    assert!(
        summary.contains("Du kom ikke inn") && summary.contains("passordet er feil"),
        "{summary}"
    );
    assert_eq!(visitor.count(".vl-account__name").await, 0, "not signed in");
    // The address stays in the form, the password does not.
    assert_eq!(visitor.value("#epost").await, EDITOR);
    visitor.close().await;
}

async fn with_public_reading_anonymous_visitors_never_see_a_point_that_is_not_public(
    backend: Backend,
) {
    let Some(site) = Site::start(backend, true).await else {
        return;
    };
    let hidden = site.hide("24/24", "2");
    let link = format!("a[href='/vedtakspunkter/{hidden}']");
    let visitor = site.browser().await;

    visitor.open("/vedtakspunkter?status=open&utvalg=ASU").await;
    assert_eq!(
        visitor.path().await,
        "/vedtakspunkter?status=open&utvalg=ASU"
    );
    assert_eq!(visitor.text("#treff").await, "7 vedtakspunkter");
    assert_eq!(
        visitor.count(&link).await,
        0,
        "the hidden point is not listed"
    );
    assert!(
        !visitor
            .client
            .source()
            .await
            .expect("the page")
            .contains(&hidden)
    );
    assert_eq!(visitor.count(".vl-account__name").await, 0, "anonymous");
    visitor.open(&format!("/vedtakspunkter/{hidden}")).await;
    assert_eq!(visitor.text("h1").await, "Siden finnes ikke");
    visitor.open("/").await;
    assert!(
        visitor.text(".vl-figures").await.contains("7\nÅpne"),
        "only public points are counted: {}",
        visitor.text(".vl-figures").await
    );

    // Signed in, a reader sees it.
    visitor.sign_in(READER, PASSWORD).await;
    visitor.open("/vedtakspunkter?status=open&utvalg=ASU").await;
    assert_eq!(visitor.text("#treff").await, "8 vedtakspunkter");
    assert_eq!(visitor.count(&link).await, 1);
    visitor.close().await;
}

async fn a_form_without_its_csrf_token_or_after_the_session_expired_changes_nothing(
    backend: Backend,
) {
    let Some(site) = Site::start(backend, false).await else {
        return;
    };
    let editor = site.browser().await;
    editor.sign_in(EDITOR, PASSWORD).await;
    let point = editor.open_point("ASU 24/24-2").await;

    // The token taken out of the form, as a forged form from another site would lack it.
    editor.choose("#felt-status", "done").await;
    editor.fill("#felt-merknad", "uten sikkerhetskode").await;
    editor
        .client
        .execute(
            "document.querySelector('#endre ~ form input[name=csrf]').remove();",
            vec![],
        )
        .await
        .expect("the script runs");
    editor.submit("#endre ~ form button[type=submit]").await;
    assert_eq!(editor.text("h1").await, "Du har ikke tilgang til dette");
    assert!(editor.text("main").await.contains("sikkerhetskode (CSRF)"));

    // The session runs out while the page is open: the form is refused, the page shows what
    // was typed so that nothing is lost, and leads to sign in (and back to the point after).
    editor.open(&point).await;
    assert_eq!(
        editor.text(".vl-facts .ds-tag").await,
        "Åpen",
        "nothing changed"
    );
    editor.choose("#felt-status", "done").await;
    editor.fill("#felt-merknad", "etter at økten gikk ut").await;
    site.database
        .execute("UPDATE sessions SET expires_at = '2000-01-01 00:00:00'");
    editor.submit("#endre ~ form button[type=submit]").await;
    assert_eq!(editor.text("h1").await, "Du er ikke lenger logget inn");
    assert!(
        editor.text(".vl-typed").await.contains("Utført"),
        "what was typed is shown"
    );
    editor
        .submit(".vl-actions a[href^='/logg-inn?neste=']")
        .await;
    let path = editor.path().await;
    assert!(
        path.starts_with("/logg-inn?neste="),
        "sent to sign in, and back: {path}"
    );
    assert_eq!(editor.text("h1").await, "Logg inn");
    assert_eq!(editor.count(".vl-account__name").await, 0, "signed out");

    editor.sign_in(EDITOR, PASSWORD).await;
    editor.open(&point).await;
    assert_eq!(
        editor.text(".vl-facts .ds-tag").await,
        "Åpen",
        "nothing changed"
    );
    let history = editor.text("#historikk ~ *").await;
    assert!(
        !history.contains("uten sikkerhetskode") && !history.contains("etter at økten"),
        "{history}"
    );
    editor.close().await;
}

/// One axe-core run on the page the browser is on; the violations, readably, if any.
async fn axe(browser: &Browser, what: &str) -> Option<String> {
    browser
        .client
        .execute(&format!("{AXE}\n;return true;"), vec![])
        .await
        .expect("axe-core loads");
    let result = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {resultTypes: ['violations']})
               .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}))),
                     e => done({error: String(e)}));",
            vec![],
        )
        .await
        .expect("axe-core runs");
    let violations = result
        .as_array()
        .unwrap_or_else(|| panic!("axe-core: {result}"));
    if violations.is_empty() {
        return None;
    }
    let mut report = format!("{what}:\n");
    for violation in violations {
        report.push_str(&format!(
            "  [{}] {}: {}\n",
            violation["impact"].as_str().unwrap_or("?"),
            violation["id"].as_str().unwrap_or("?"),
            violation["help"].as_str().unwrap_or("?"),
        ));
        for node in violation["nodes"].as_array().into_iter().flatten() {
            let node = node.as_str().unwrap_or_default().replace('\n', "\n      ");
            report.push_str(&format!("    - {node}\n"));
        }
    }
    Some(report)
}

async fn axe_finds_no_violations_on_any_page_at_either_width(backend: Backend) {
    let Some(site) = Site::start(backend, true).await else {
        return;
    };
    let browser = site.browser().await;
    browser.open("/vedtakspunkter?utvalg=ASU").await;
    let point = browser
        .client
        .find(Locator::LinkText("ASU 24/24-2"))
        .await
        .expect("a public point in the list")
        .attr("href")
        .await
        .expect("an href")
        .expect("a link");
    browser.open(&point).await;
    let link = |prefix: &'static str| {
        let browser = &browser;
        async move {
            browser
                .client
                .find(Locator::Css(&format!("main a[href^='{prefix}']")))
                .await
                .unwrap_or_else(|_| panic!("the point page links to {prefix}"))
                .attr("href")
                .await
                .expect("an href")
                .expect("a link")
        }
    };
    let case = link("/saker/").await;
    let meeting = link("/moter/").await;
    let pages: Vec<(&str, String)> = vec![
        ("the overview", "/".into()),
        ("the list", "/vedtakspunkter".into()),
        ("a search", "/vedtakspunkter?q=rapport&status=open".into()),
        (
            "the list filtered by kind and deadline",
            "/vedtakspunkter?type=assignment&frist_fra=01.01.2024&frist_til=31.12.2030".into(),
        ),
        (
            "the list with a filter that cannot be used",
            "/vedtakspunkter?frist_fra=31.02.2030".into(),
        ),
        ("a point", point.clone()),
        ("a case", case),
        ("the meetings", "/moter".into()),
        ("a meeting", meeting.clone()),
        (
            "the printed follow-up list",
            format!("{meeting}/oppfolging"),
        ),
        (
            "the printed selection",
            "/vedtakspunkter/utskrift?type=assignment".into(),
        ),
        ("the owners", "/ansvarlige".into()),
        ("the proposals", "/forslag".into()),
        ("the sign-in page", "/logg-inn".into()),
        ("a 404 page", "/finnes-ikke".into()),
    ];
    let mut reports = Vec::new();
    let mut audited = 0;
    for signed_in in [false, true] {
        if signed_in {
            browser.sign_in(EDITOR, PASSWORD).await;
        }
        for (width, height) in [(1280, 900), (390, 844)] {
            browser
                .client
                .set_window_size(width, height)
                .await
                .expect("the window resizes");
            for (name, path) in &pages {
                browser.open(path).await;
                let who = if signed_in { "an editor" } else { "anonymous" };
                let what = format!("{name} ({path}) for {who} at {width} px");
                audited += 1;
                reports.extend(axe(&browser, &what).await);
            }
            if signed_in {
                // The import page, empty and with a preview of the minutes.
                browser.open("/importer").await;
                audited += 1;
                let what = format!("the import page at {width} px");
                reports.extend(axe(&browser, &what).await);
                browser.preview_minutes().await;
                audited += 1;
                let what = format!("the preview of an import at {width} px");
                reports.extend(axe(&browser, &what).await);
            }
            if !signed_in {
                // The sign-in page with its error summary, as people meet it.
                browser.sign_in(EDITOR, "feil passord").await;
                let what = format!("the sign-in page with an error at {width} px");
                audited += 1;
                reports.extend(axe(&browser, &what).await);
            }
        }
    }
    browser.close().await;
    // The admin pages, for an admin; the token page also as it shows a new secret.
    let admin = site.browser().await;
    admin.sign_in(ADMIN, PASSWORD).await;
    for (width, height) in [(1280, 900), (390, 844)] {
        admin
            .client
            .set_window_size(width, height)
            .await
            .expect("the window resizes");
        for (name, path) in [
            ("the accounts", "/brukere"),
            ("the API tokens", "/api-nokler"),
        ] {
            admin.open(path).await;
            audited += 1;
            reports.extend(axe(&admin, &format!("{name} for an admin at {width} px")).await);
        }
        admin.fill("#felt-navn", &format!("Dashbord {width}")).await;
        admin.submit_form("form[action='/api-nokler']").await;
        audited += 1;
        reports.extend(axe(&admin, &format!("a new API token's secret at {width} px")).await);
    }
    admin.close().await;
    assert!(
        reports.is_empty(),
        "axe-core found violations on {} of {audited} pages:\n{}",
        reports.len(),
        reports.join("\n")
    );
    eprintln!("axe-core: no violations on {audited} pages");
}
