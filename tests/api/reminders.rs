//! Reminders: the minutes of 19.06.24 imported, owners with addresses, and the worker's clock
//! set to days around a deadline; the mails reach a real SMTP server on loopback as one digest
//! per recipient and day, never twice.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::http::Method;
use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{Value, json};
use vedtakslogg::config::Backend;
use vedtakslogg::notify::mail::MailConfig;
use vedtakslogg::notify::{ReminderSettings, Settings, Worker};
use vedtakslogg::store::reminders::Rules;

use crate::helpers::{TestApp, Who};
use crate::on_both_backends;

/// A mail the SMTP server took.
#[derive(Debug, Clone)]
struct Received {
    to: Vec<String>,
    data: String,
}

/// A real SMTP server on loopback that takes every mail (a sink).
struct SmtpSink {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SmtpSink {
    fn start() -> Self {
        Self::start_on(0)
    }

    /// A port nothing listens on (yet).
    fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    fn start_on(port: u16) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (kept, stopping) = (Arc::clone(&received), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            while !stopping.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        stream.set_nonblocking(false).unwrap();
                        converse(stream, &kept);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self {
            port,
            received,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn got(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    async fn wait_for(&self, count: usize) -> Vec<Received> {
        let start = Instant::now();
        while self.got().len() < count && start.elapsed() < Duration::from_secs(10) {
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
        self.got()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One SMTP session: greeting, envelope, data, quit.
fn converse(stream: std::net::TcpStream, kept: &Mutex<Vec<Received>>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let _ = writer.write_all(b"220 sink ESMTP\r\n");
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
            b"250 sink\r\n"
        } else if command.starts_with("RCPT TO:") {
            to.push(
                line.trim_end()[8..]
                    .trim()
                    .trim_matches(['<', '>'])
                    .to_owned(),
            );
            b"250 OK\r\n"
        } else if command == "DATA" {
            let _ = writer.write_all(b"354 go on\r\n");
            let mut data = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == ".\r\n" {
                    break;
                }
                data.push_str(&line);
            }
            kept.lock().unwrap().push(Received {
                to: std::mem::take(&mut to),
                data,
            });
            b"250 OK queued\r\n"
        } else if command == "QUIT" {
            let _ = writer.write_all(b"221 bye\r\n");
            return;
        } else {
            b"250 OK\r\n"
        };
        let _ = writer.write_all(reply);
    }
}

/// A worker whose clock starts at 10:00 on `day` (plus the test run's time), sending to `sink`.
fn worker(app: &TestApp, day: &str, sink: Option<&SmtpSink>, rules: Rules) -> Worker {
    worker_to(app, day, sink.map(SmtpSink::url), rules)
}

fn worker_to(app: &TestApp, day: &str, smtp_url: Option<String>, rules: Rules) -> Worker {
    let at: NaiveDateTime = NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    let settings = Settings {
        poll: Duration::from_millis(20),
        retry: vedtakslogg::store::outbox::RetryPolicy {
            first_delay: chrono::TimeDelta::milliseconds(50),
            max_delay: chrono::TimeDelta::milliseconds(200),
            give_up_after: chrono::TimeDelta::hours(24),
        },
        // The day's 10:00 and on, as time goes by (retries need the clock to move).
        clock: Arc::new(move || {
            static ANCHOR: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
            let gone = ANCHOR.get_or_init(Instant::now).elapsed();
            at + chrono::TimeDelta::from_std(gone).unwrap()
        }),
        reminders: Some(ReminderSettings {
            rules,
            mail: smtp_url.map(|smtp_url| MailConfig {
                smtp_url,
                from: "vedtakslogg@helsefellesskapet.no".into(),
            }),
            base_url: "https://vedtak.example.no".into(),
        }),
        ..Settings::default()
    };
    Worker::start(app.store.clone(), settings).unwrap()
}

/// The log with the minutes of 19.06.24; returns its two points with the deadline 30.08.24.
async fn minutes_of_19_06_24(app: &TestApp) -> (Value, Value) {
    app.send_raw(
        Method::POST,
        "/api/v1/imports",
        "text/plain; charset=utf-8",
        include_bytes!("../fixtures/asu-2024-06-19-referat.txt").to_vec(),
    )
    .await
    .expect(200);
    let all = app.get("/api/v1/decisions?limit=200").await.expect(200);
    let due: Vec<Value> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["deadline"] == "2024-08-30")
        .cloned()
        .collect();
    assert_eq!(due.len(), 2, "{all}");
    (due[0].clone(), due[1].clone())
}

async fn give_owners(app: &TestApp, point: &Value, owners: &[&str]) -> Value {
    let owners: Vec<Value> = owners.iter().map(|o| json!({"owner": o})).collect();
    app.patch(
        &format!("/api/v1/decisions/{}", point["id"].as_str().unwrap()),
        &json!({"owners": owners}),
    )
    .await
    .expect(200)
}

async fn set_contacts(app: &TestApp, owner: &str, contacts: Value) -> Value {
    app.as_(Who::Admin)
        .send(
            actix_web::test::TestRequest::put()
                .uri(&format!("/api/v1/reminders/contacts/{owner}"))
                .set_json(json!({ "contacts": contacts })),
        )
        .await
        .expect(200)
}

fn mail_to<'a>(got: &'a [Received], address: &str) -> Vec<&'a Received> {
    got.iter().filter(|m| m.to == [address]).collect()
}

/// The text of a mail, with quoted-printable soft line breaks joined.
fn text_of(mail: &Received) -> String {
    mail.data.replace("=\r\n", "")
}

async fn the_minutes_give_one_digest_per_owner_a_week_before_and_on_the_day(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (first, second) = minutes_of_19_06_24(&app).await;
    give_owners(&app, &first, &["Sekretariatet"]).await;
    give_owners(&app, &second, &["Sekretariatet", "AU"]).await;
    set_contacts(
        &app,
        "Sekretariatet",
        json!([{"email": "Post@Sekretariatet.no"}]),
    )
    .await;
    set_contacts(
        &app,
        "AU",
        json!([{"email": "au@helsefellesskapet.no", "reminders": ["before", "due"]}]),
    )
    .await;
    let sink = SmtpSink::start();

    // Seven days before: one digest each, the secretariat's with both points.
    let one = worker(&app, "2024-08-23", Some(&sink), Rules::default());
    let got = sink.wait_for(2).await;
    one.stop();
    assert_eq!(got.len(), 2, "{got:#?}");
    let secretariat = mail_to(&got, "post@sekretariatet.no");
    assert_eq!(secretariat.len(), 1);
    let text = text_of(secretariat[0]);
    assert!(
        text.contains("Subject: =?utf-8?") || text.contains("Subject: P"),
        "{text}"
    );
    assert!(text.contains("multipart/alternative"), "{text}");
    assert!(
        text.contains("text/plain") && text.contains("text/html"),
        "{text}"
    );
    assert!(text.contains("Frist om 7 dager"), "{text}");
    for point in [&first, &second] {
        let id = point["id"].as_str().unwrap();
        assert!(
            text.contains(&format!("https://vedtak.example.no/vedtakspunkter/{id}")),
            "{text}"
        );
    }
    assert!(
        text.contains("30.08.2024") && text.contains("19.06.2024"),
        "{text}"
    );
    let au = mail_to(&got, "au@helsefellesskapet.no");
    assert_eq!(au.len(), 1);
    let au_text = text_of(au[0]);
    assert!(au_text.contains(second["id"].as_str().unwrap()));
    assert!(!au_text.contains(first["id"].as_str().unwrap()));

    // A restart the same day sends nothing twice.
    let again = worker(&app, "2024-08-23", Some(&sink), Rules::default());
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    again.stop();
    assert_eq!(sink.got().len(), 2);
    let listed = app
        .as_(Who::Admin)
        .get("/api/v1/reminders")
        .await
        .expect(200);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert!(
        listed
            .iter()
            .all(|m| m["status"] == "delivered" && m["event"] == "reminder")
    );

    // On the day: again one each. A day in between: nothing.
    let between = worker(&app, "2024-08-27", Some(&sink), Rules::default());
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    between.stop();
    assert_eq!(sink.got().len(), 2);
    let day = worker(&app, "2024-08-30", Some(&sink), Rules::default());
    let got = sink.wait_for(4).await;
    day.stop();
    assert_eq!(got.len(), 4);
    assert!(text_of(&got[2]).contains("Frist i dag") && text_of(&got[3]).contains("Frist i dag"));

    // Overdue the day after: AU did not ask for that; a point closed meanwhile is left out.
    app.patch(
        &format!("/api/v1/decisions/{}", first["id"].as_str().unwrap()),
        &json!({"status": "done"}),
    )
    .await
    .expect(200);
    let after = worker(&app, "2024-08-31", Some(&sink), Rules::default());
    let got = sink.wait_for(5).await;
    after.stop();
    assert_eq!(got.len(), 5);
    let overdue = text_of(&got[4]);
    assert_eq!(got[4].to, ["post@sekretariatet.no"]);
    assert!(overdue.contains("Forfalt"), "{overdue}");
    assert!(overdue.contains(second["id"].as_str().unwrap()));
    assert!(!overdue.contains(first["id"].as_str().unwrap()));

    // Then weekly: nothing six days after that, again seven days after.
    let six_days = worker(&app, "2024-09-06", Some(&sink), Rules::default());
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    six_days.stop();
    assert_eq!(sink.got().len(), 5);
    let a_week = worker(&app, "2024-09-07", Some(&sink), Rules::default());
    let got = sink.wait_for(6).await;
    a_week.stop();
    assert_eq!(got.len(), 6);
    let overdue = text_of(&got[5]);
    assert!(overdue.contains("Forfalt"), "{overdue}");
    assert!(overdue.contains(second["id"].as_str().unwrap()));
}

async fn the_secretariat_gets_a_weekly_summary_and_the_points_nobody_can_be_told_of(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let (first, second) = minutes_of_19_06_24(&app).await;
    give_owners(&app, &first, &["Analysegruppen"]).await;
    let rules = Rules {
        secretariat: Some("sekretariat@helsefellesskapet.no".into()),
        ..Rules::default()
    };
    // The preview says what would go out, and writes nothing.
    let preview = app
        .as_(Who::Admin)
        .get("/api/v1/reminders/preview?date=2024-08-30")
        .await
        .expect(200);
    // Without a secretariat configured for the API, points without addresses go nowhere.
    assert_eq!(preview, json!([]));
    let sink = SmtpSink::start();
    // On the day: neither point's owners have an address, so the secretariat is told of both.
    let day = worker(&app, "2024-08-30", Some(&sink), rules.clone());
    let got = sink.wait_for(1).await;
    day.stop();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, ["sekretariat@helsefellesskapet.no"]);
    // Monday 02.09.24: the weekly summary of everything overdue, and no overdue reminder (that
    // went the day after, and goes again a week after).
    let monday = worker(&app, "2024-09-02", Some(&sink), rules.clone());
    let got = sink.wait_for(2).await;
    monday.stop();
    assert_eq!(got.len(), 2);
    let summary = text_of(&got[1]);
    assert!(
        summary.contains("Ukentlig oversikt") || summary.contains("=?utf-8?"),
        "{summary}"
    );
    assert!(summary.contains("Forfalte vedtakspunkter"), "{summary}");
    for point in [&first, &second] {
        assert!(summary.contains(point["id"].as_str().unwrap()));
    }
    let listed = app
        .as_(Who::Admin)
        .get("/api/v1/reminders")
        .await
        .expect(200);
    assert_eq!(listed[0]["event"], "summary");
    assert_eq!(listed[0]["recipient"], "sekretariat@helsefellesskapet.no");
}

async fn without_mail_reminders_are_computed_but_not_queued(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (first, _) = minutes_of_19_06_24(&app).await;
    give_owners(&app, &first, &["AU"]).await;
    set_contacts(&app, "AU", json!([{"email": "au@helsefellesskapet.no"}])).await;
    let preview = app
        .as_(Who::Admin)
        .get("/api/v1/reminders/preview?date=2024-08-23")
        .await
        .expect(200);
    assert_eq!(preview.as_array().unwrap().len(), 1, "{preview}");
    assert_eq!(preview[0]["recipient"], "au@helsefellesskapet.no");
    assert_eq!(preview[0]["points"][0]["id"], first["id"]);
    assert_eq!(preview[0]["points"][0]["kind"], "before");
    let unconfigured = worker(&app, "2024-08-23", None, Rules::default());
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    unconfigured.stop();
    let listed = app
        .as_(Who::Admin)
        .get("/api/v1/reminders")
        .await
        .expect(200);
    assert_eq!(listed, json!([]));
}

async fn two_workers_send_each_reminder_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (first, second) = minutes_of_19_06_24(&app).await;
    give_owners(&app, &first, &["AU"]).await;
    give_owners(&app, &second, &["Sekretariatet"]).await;
    set_contacts(&app, "AU", json!([{"email": "au@helsefellesskapet.no"}])).await;
    set_contacts(
        &app,
        "Sekretariatet",
        json!([{"email": "post@sekretariatet.no"}]),
    )
    .await;
    let sink = SmtpSink::start();
    let one = worker(&app, "2024-08-30", Some(&sink), Rules::default());
    let two = worker(&app, "2024-08-30", Some(&sink), Rules::default());
    sink.wait_for(2).await;
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    one.stop();
    two.stop();
    let got = sink.got();
    assert_eq!(got.len(), 2, "{got:#?}");
    assert_eq!(mail_to(&got, "au@helsefellesskapet.no").len(), 1);
    assert_eq!(mail_to(&got, "post@sekretariatet.no").len(), 1);
}

async fn contacts_refuse_bad_input_and_non_admins(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let put = |who: Who, owner: &str, body: Value| {
        app.as_(who).send(
            actix_web::test::TestRequest::put()
                .uri(&format!("/api/v1/reminders/contacts/{owner}"))
                .set_json(body),
        )
    };
    for (body, field) in [
        (json!({"contacts": [{"email": "not an address"}]}), "email"),
        (
            json!({"contacts": [{"email": "au@x.no"}, {"email": "AU@x.no"}]}),
            "twice",
        ),
        (
            json!({"contacts": [{"email": "au@x.no", "reminders": ["summary"]}]}),
            "reminders",
        ),
        (
            json!({"contacts": [{"email": "au@x.no", "reminders": ["weekly"]}]}),
            "reminders",
        ),
        (
            json!({"contacts": [{"email": "au@x.no", "phone": "1"}]}),
            "phone",
        ),
        (json!({}), "contacts"),
    ] {
        let detail = put(Who::Admin, "AU", body.clone())
            .await
            .expect_problem(422);
        assert!(detail.contains(field), "{body}: {detail}");
    }
    put(Who::Admin, "Ingen-slik", json!({"contacts": []}))
        .await
        .expect_problem(404);
    put(Who::Editor, "AU", json!({"contacts": []}))
        .await
        .expect_problem(403);
    app.as_(Who::Reader)
        .get("/api/v1/reminders/contacts")
        .await
        .expect_problem(403);
    let admin = app.as_(Who::Admin);
    admin
        .get("/api/v1/reminders/preview?date=2024-13-01")
        .await
        .expect_problem(400);
    admin
        .get("/api/v1/reminders?limit=500")
        .await
        .expect_problem(400);
    // Nothing was stored by the refusals.
    assert_eq!(
        admin.get("/api/v1/reminders/contacts").await.expect(200),
        json!([])
    );
    let set = put(
        Who::Admin,
        "AU",
        json!({"contacts": [{"email": "au@x.no"}]}),
    )
    .await
    .expect(200);
    assert_eq!(set["owner"], "AU");
    assert_eq!(
        set["contacts"][0]["reminders"],
        json!(["before", "due", "overdue"])
    );
}

/// Runs the binary against a database, with these variables; success, stdout, stderr.
fn vedtakslogg(
    config: &vedtakslogg::config::DatabaseConfig,
    args: &[&str],
    env: &[(&str, &str)],
) -> (bool, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_vedtakslogg"))
        .args(args)
        .env("DATABASE_URL", &config.url)
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

async fn the_remind_command_previews_and_queues_a_day_once(backend: Backend) {
    let (config, _database) = crate::helpers::TestDatabase::create(backend);
    let minutes = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/asu-2024-06-19-referat.txt"
    );
    let (ok, _, err) = vedtakslogg(&config, &["import", minutes], &[]);
    assert!(ok, "{err}");
    let secretariat = [(
        "VEDTAKSLOGG_SECRETARIAT_EMAIL",
        "sekretariat@helsefellesskapet.no",
    )];
    let (ok, out, err) = vedtakslogg(
        &config,
        &["remind", "--dry-run", "--date", "2024-08-30"],
        &secretariat,
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("Til: sekretariat@helsefellesskapet.no"),
        "{out}"
    );
    assert!(out.contains("Frist i dag (30.08.2024)"), "{out}");
    assert!(
        err.contains("1 mails") && err.contains("not configured"),
        "{err}"
    );
    // Without mail nothing would send them: refused.
    let (ok, _, err) = vedtakslogg(&config, &["remind", "--date", "2024-08-30"], &secretariat);
    assert!(!ok && err.contains("SMTP_URL"), "{err}");
    let mail = [
        secretariat[0],
        ("SMTP_URL", "smtp://127.0.0.1:9"),
        ("VEDTAKSLOGG_MAIL_FROM", "vedtakslogg@helsefellesskapet.no"),
    ];
    let (ok, _, err) = vedtakslogg(&config, &["remind", "--date", "2024-08-30"], &mail);
    assert!(ok && err.contains("queued 1 mails"), "{err}");
    let (ok, _, err) = vedtakslogg(&config, &["remind", "--date", "2024-08-30"], &mail);
    assert!(ok && err.contains("queued 0 mails"), "{err}");
    let (ok, out, err) = vedtakslogg(
        &config,
        &["remind", "--dry-run", "--date", "2024-08-30"],
        &mail,
    );
    assert!(
        ok && out.is_empty() && err.contains("0 mails"),
        "{out}{err}"
    );
}

async fn a_mail_server_that_is_down_gets_the_digest_later_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (first, _) = minutes_of_19_06_24(&app).await;
    give_owners(&app, &first, &["AU"]).await;
    set_contacts(&app, "AU", json!([{"email": "au@helsefellesskapet.no"}])).await;
    let port = SmtpSink::free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let down = worker_to(&app, "2024-08-30", Some(url.clone()), Rules::default());
    let start = Instant::now();
    loop {
        let listed = app
            .as_(Who::Admin)
            .get("/api/v1/reminders")
            .await
            .expect(200);
        if listed[0]["last_error"].is_string() {
            assert_eq!(listed[0]["status"], "pending");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{listed}");
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    down.stop();
    let sink = SmtpSink::start_on(port);
    let up = worker_to(&app, "2024-08-30", Some(url), Rules::default());
    let got = sink.wait_for(1).await;
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    up.stop();
    assert_eq!(sink.got().len(), 1, "{got:#?}");
    let listed = app
        .as_(Who::Admin)
        .get("/api/v1/reminders")
        .await
        .expect(200);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["status"], "delivered");
    assert!(listed[0]["log"].as_array().unwrap().len() >= 2, "{listed}");
}

on_both_backends!(
    a_mail_server_that_is_down_gets_the_digest_later_once,
    the_remind_command_previews_and_queues_a_day_once,
    the_minutes_give_one_digest_per_owner_a_week_before_and_on_the_day,
    the_secretariat_gets_a_weekly_summary_and_the_points_nobody_can_be_told_of,
    without_mail_reminders_are_computed_but_not_queued,
    two_workers_send_each_reminder_once,
    contacts_refuse_bad_input_and_non_admins,
);
