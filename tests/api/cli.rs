//! The command line, run as a user runs it: the real binary against a real database.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use vedtakslogg::config::{Backend, DatabaseConfig};
use vedtakslogg::store::Store;
use vedtakslogg::store::tokens;

use crate::helpers::TestDatabase;

crate::on_both_backends!(
    token_commands_create_list_and_revoke,
    the_first_start_prints_one_admin_token_once,
    the_first_start_without_accounts_prints_a_first_admin_account_once,
    the_first_admin_token_can_go_to_a_private_file_instead_of_the_output,
    the_import_command_previews_then_writes_a_document,
    the_request_log_names_method_path_and_status_but_not_the_query
);

fn url(config: &DatabaseConfig) -> String {
    config.url.clone()
}

pub(crate) fn vedtakslogg(config: &DatabaseConfig, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_vedtakslogg"))
        .args(args)
        .env("DATABASE_URL", url(config))
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn secret_in(text: &str) -> Option<String> {
    text.split_whitespace()
        .find(|word| word.starts_with("vl_"))
        .map(str::to_owned)
}

async fn token_commands_create_list_and_revoke(backend: Backend) {
    let (config, _database) = TestDatabase::create(backend);
    let (ok, out, err) = vedtakslogg(
        &config,
        &["token", "create", "--name", "AU", "--role", "reader"],
    );
    assert!(ok, "{out}{err}");
    let secret = secret_in(&out).expect("the secret is printed");
    let (ok, _, err) = vedtakslogg(
        &config,
        &["token", "create", "--name", "AU", "--role", "editor"],
    );
    assert!(!ok && err.contains("already"), "{err}");
    let (ok, _, err) = vedtakslogg(
        &config,
        &["token", "create", "--name", "X", "--role", "owner"],
    );
    assert!(!ok && err.contains("role"), "{err}");

    let (store, _) = Store::open(&config).unwrap();
    let caller = store
        .run_blocking(|conn| tokens::authenticate(conn, &secret))
        .unwrap();
    assert_eq!(
        caller.map(|c| (c.name, c.role.to_string())),
        Some(("AU".into(), "reader".into()))
    );

    let (ok, out, _) = vedtakslogg(&config, &["token", "list"]);
    assert!(ok && out.contains("AU") && out.contains("reader"), "{out}");
    assert!(!out.contains(&secret), "the list never shows a secret");
    let (ok, out, err) = vedtakslogg(&config, &["token", "revoke", "AU"]);
    assert!(ok && out.contains("Revoked"), "{out}{err}");
    let caller = store
        .run_blocking(|conn| tokens::authenticate(conn, &secret))
        .unwrap();
    assert_eq!(caller, None, "a revoked token is refused");
    let (ok, _, err) = vedtakslogg(&config, &["token", "revoke", "AU"]);
    assert!(!ok && err.contains("no active token"), "{err}");
}

/// Starts `serve` on a free port with extra environment; returns whether it said where it
/// serves, and all it printed on standard output and standard error until then (or until it
/// stopped), then stops it.
fn serve_until_ready(config: &DatabaseConfig, env: &[(&str, &str)]) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vedtakslogg"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", url(config))
        .env("RUST_LOG", "info")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stderr = child.stderr.take().unwrap();
    let (lines_tx, lines_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut log = String::new();
    let mut ready = false;
    while let Ok(line) = lines_rx.recv_timeout(Duration::from_secs(60)) {
        log.push_str(&line);
        log.push('\n');
        if line.contains("is serving at http://127.0.0.1:") {
            ready = true;
            break;
        }
    }
    let _ = child.kill();
    let output = child.wait_with_output().expect("the server stops");
    log.extend(lines_rx.try_iter().map(|line| line + "\n"));
    (
        ready,
        String::from_utf8_lossy(&output.stdout).into_owned(),
        log,
    )
}

/// What `serve` printed on standard output before it said where it serves.
fn first_words_of_serve(config: &DatabaseConfig) -> String {
    let (ready, out, log) = serve_until_ready(config, &[]);
    assert!(ready, "the server said where it serves: {log}");
    out
}

/// The value after a label such as `password:` in what `serve` printed.
fn printed(text: &str, label: &str) -> Option<String> {
    let mut words = text.split_whitespace();
    words.find(|word| *word == label)?;
    words.next().map(str::to_owned)
}

async fn the_first_start_without_accounts_prints_a_first_admin_account_once(backend: Backend) {
    let (config, _database) = TestDatabase::create(backend);
    let first = first_words_of_serve(&config);
    let email = printed(&first, "e-mail:").expect("the first start prints an account");
    let password = printed(&first, "password:").expect("and its password");
    assert_eq!(email, vedtakslogg::store::users::FIRST_ADMIN_EMAIL);
    assert!(password.chars().count() >= 10, "{password}");
    let (store, _) = Store::open(&config).unwrap();
    let (e, p) = (email.clone(), password.clone());
    let user = store
        .run_blocking(move |conn| vedtakslogg::store::users::check_password(conn, &e, &p))
        .unwrap()
        .expect("one can sign in with it");
    assert_eq!(user.role.to_string(), "admin");
    let second = first_words_of_serve(&config);
    assert_eq!(printed(&second, "password:"), None, "only once: {second}");
}

async fn the_first_start_prints_one_admin_token_once(backend: Backend) {
    let (config, _database) = TestDatabase::create(backend);
    let first = first_words_of_serve(&config);
    let secret = secret_in(&first).expect("the first start prints an admin token");
    assert!(first.contains("shown only this once"), "{first}");
    let (store, _) = Store::open(&config).unwrap();
    let caller = store
        .run_blocking(|conn| tokens::authenticate(conn, &secret))
        .unwrap()
        .unwrap();
    assert_eq!(
        (caller.name.as_str(), caller.role.to_string().as_str()),
        ("admin", "admin")
    );
    let second = first_words_of_serve(&config);
    assert_eq!(
        secret_in(&second),
        None,
        "a database with tokens gets no new one: {second}"
    );
}

/// In a container, standard output is the log (`docker logs`); the token file keeps the first
/// token out of it. A file that cannot be written stops the start before any token exists.
async fn the_first_admin_token_can_go_to_a_private_file_instead_of_the_output(backend: Backend) {
    let (config, _database) = TestDatabase::create(backend);
    let dir = tempfile::tempdir().unwrap();
    let unwritable = dir.path().join("no-such-directory").join("token");
    let (ready, out, log) = serve_until_ready(
        &config,
        &[(
            "VEDTAKSLOGG_INITIAL_ADMIN_TOKEN_FILE",
            unwritable.to_str().unwrap(),
        )],
    );
    assert!(
        !ready,
        "a token that cannot be delivered stops the start: {log}"
    );
    assert!(
        log.contains("cannot write the first admin token") && log.contains("no-such-directory"),
        "{log}"
    );
    assert_eq!(secret_in(&out), None, "{out}");
    let (store, _) = Store::open(&config).unwrap();
    let tokens = store.run_blocking(tokens::list).unwrap();
    assert!(tokens.is_empty(), "no token was made: {tokens:?}");

    let file = dir.path().join("initial-admin-token");
    // A file left with wider permissions gets narrowed.
    std::fs::write(&file, "old").unwrap();
    let (ready, out, log) = serve_until_ready(
        &config,
        &[(
            "VEDTAKSLOGG_INITIAL_ADMIN_TOKEN_FILE",
            file.to_str().unwrap(),
        )],
    );
    assert!(ready, "{log}");
    let secret = std::fs::read_to_string(&file).unwrap().trim().to_owned();
    assert!(secret.starts_with("vl_"), "{secret}");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "only the service's user may read it");
    }
    assert!(
        !out.contains(&secret) && !log.contains(&secret),
        "{out}{log}"
    );
    assert!(
        log.contains(file.to_str().unwrap()),
        "the log says where: {log}"
    );
    let caller = store
        .run_blocking(|conn| tokens::authenticate(conn, &secret))
        .unwrap()
        .expect("the token in the file is the admin's");
    // The first account goes beside it, private too, and not to the output.
    let account = std::fs::read_to_string(format!("{}.account", file.display())).unwrap();
    let password = printed(&account, "password:").expect("the password in the file");
    assert!(!out.contains(&password) && !log.contains(&password));
    {
        use std::os::unix::fs::PermissionsExt;
        let path = format!("{}.account", file.display());
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    assert_eq!(caller.role.to_string(), "admin");
}

async fn the_import_command_previews_then_writes_a_document(backend: Backend) {
    let (config, _database) = TestDatabase::create(backend);
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/asu-2024-06-19-referat.docx"
    );
    let expected: serde_json::Value = serde_json::from_str(include_str!(
        "../fixtures/asu-2024-06-19-referat.expected.json"
    ))
    .unwrap();
    let count_points = || {
        let (store, _) = Store::open(&config).unwrap();
        store
            .run_blocking(|conn| {
                vedtakslogg::store::decisions::list_every(conn, &Default::default())
            })
            .unwrap()
            .len()
    };

    let (ok, out, err) = vedtakslogg(&config, &["import", file, "--dry-run"]);
    assert!(ok, "{out}{err}");
    let preview: serde_json::Value = serde_json::from_str(&out).expect("JSON on stdout");
    assert_eq!(preview["cases"], expected["cases"]);
    assert_eq!(preview["import"]["dry_run"], true);
    assert!(err.contains("dry run, nothing written"), "{err}");
    assert_eq!(count_points(), 0);

    let (ok, out, err) = vedtakslogg(&config, &["import", file, "--as", "Sekretariatet"]);
    assert!(ok, "{out}{err}");
    let written: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(written["import"]["changed"], true);
    assert!(err.contains("32 created"), "{err}");
    assert_eq!(count_points(), 21);

    let (ok, out, err) = vedtakslogg(&config, &["import", file]);
    assert!(ok, "{out}{err}");
    assert!(err.contains("0 created, 0 updated, 31 unchanged"), "{err}");

    let missing = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/no-such-file.txt"
    );
    let (ok, _, err) = vedtakslogg(&config, &["import", missing]);
    assert!(!ok && err.contains("cannot read"), "{err}");
    let not_a_meeting = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let (ok, _, err) = vedtakslogg(&config, &["import", not_a_meeting]);
    assert!(!ok && err.contains("Cargo.toml: no cases found"), "{err}");
}

/// One request to the real server: its log line says the method, the path and the status, and
/// leaves out the query string (a calendar feed's holds a token).
async fn the_request_log_names_method_path_and_status_but_not_the_query(backend: Backend) {
    use std::io::{Read, Write};
    let (config, _database) = TestDatabase::create(backend);
    let mut child = Command::new(env!("CARGO_BIN_EXE_vedtakslogg"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", url(&config))
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stderr = child.stderr.take().unwrap();
    let (lines_tx, lines_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let wait_for = |pattern: &str| loop {
        match lines_rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) if line.contains(pattern) => return Some(line),
            Ok(_) => {}
            Err(_) => return None,
        }
    };
    let ready = wait_for("is serving at http://").expect("the server says where it serves");
    let address = ready
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("an address")
        .to_owned();
    let mut stream = std::net::TcpStream::connect(&address).expect("the server answers");
    stream
        .write_all(
            b"GET /api/v1/calendar.ics?access_token=vl_secret HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    let line = wait_for("/api/v1/calendar.ics");
    let _ = child.kill();
    let _ = child.wait();
    let line = line.expect("the request is logged");
    assert!(line.contains("\"GET /api/v1/calendar.ics\" 401"), "{line}");
    assert!(!line.contains("vl_secret") && !line.contains('?'), "{line}");
}
