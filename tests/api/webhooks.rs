//! Webhooks: registration, signed deliveries to a real HTTP receiver on loopback, retries
//! while it is down, giving up after a day, redelivery, and two workers sending each delivery
//! once.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::TimeDelta;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use vedtakslogg::config::Backend;
use vedtakslogg::notify::{Clock, Settings, WebhookPolicy, Worker};
use vedtakslogg::store::outbox::RetryPolicy;

use crate::helpers::{TestApp, Who};
use crate::on_both_backends;

/// A request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: HashMap<String, String>,
    body: String,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

/// A real HTTP receiver on loopback that answers 204 to every POST and keeps what it got. It
/// can be taken down (the port refuses connections) and brought back on the same port.
struct Receiver {
    address: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    running: Option<(Arc<AtomicBool>, std::thread::JoinHandle<()>)>,
}

impl Receiver {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let mut receiver = Self {
            address: listener.local_addr().unwrap(),
            received: Arc::default(),
            running: None,
        };
        receiver.serve(listener);
        receiver
    }

    /// A receiver whose port is known but that is down.
    fn down() -> Self {
        let mut receiver = Self::start();
        receiver.stop();
        receiver
    }

    fn url(&self) -> String {
        format!("http://{}/hook", self.address)
    }

    fn serve(&mut self, listener: TcpListener) {
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, received) = (Arc::clone(&stop), Arc::clone(&self.received));
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        stream.set_nonblocking(false).unwrap();
                        if let Some(request) = read_request(&stream) {
                            received.lock().unwrap().push(request);
                        }
                        let mut stream = stream;
                        let _ = stream.write_all(
                            b"HTTP/1.1 204 No Content\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                        );
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        self.running = Some((stop, thread));
    }

    fn stop(&mut self) {
        if let Some((stop, thread)) = self.running.take() {
            stop.store(true, Ordering::SeqCst);
            thread.join().unwrap();
        }
    }

    fn restart(&mut self) {
        self.serve(TcpListener::bind(self.address).expect("the same port again"));
    }

    fn got(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (polling) until the receiver has at least `count` requests.
    async fn wait_for(&self, count: usize, within: Duration) -> Vec<Received> {
        let start = Instant::now();
        loop {
            let got = self.got();
            if got.len() >= count || start.elapsed() > within {
                return got;
            }
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop();
    }
}

fn read_request(stream: &std::net::TcpStream) -> Option<Received> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut headers = HashMap::new();
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    let length: usize = headers.get("content-length")?.parse().ok()?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Received {
        headers,
        body: String::from_utf8(body).ok()?,
    })
}

/// Verifies a delivery's signature as the Standard Webhooks specification says, written here
/// apart from the service's own code.
fn verify(secret: &str, request: &Received) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("a whsec_ secret"))
        .expect("a base64 key");
    let signed = format!(
        "{}.{}.{}",
        request.headers["webhook-id"], request.headers["webhook-timestamp"], request.body
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(signed.as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    request.headers["webhook-signature"]
        .split(' ')
        .any(|signature| signature == expected)
}

/// A clock the test can move forward.
#[derive(Clone, Default)]
struct TestClock(Arc<AtomicI64>);

impl TestClock {
    fn clock(&self) -> Clock {
        let offset = Arc::clone(&self.0);
        Arc::new(move || {
            chrono::Utc::now().naive_utc() + TimeDelta::seconds(offset.load(Ordering::SeqCst))
        })
    }

    fn advance(&self, by: TimeDelta) {
        self.0.fetch_add(by.num_seconds(), Ordering::SeqCst);
    }
}

/// Quick retries and looks, so that the tests wait little.
fn settings(clock: &TestClock) -> Settings {
    Settings {
        policy: WebhookPolicy {
            allow_private: true,
        },
        retry: RetryPolicy {
            first_delay: TimeDelta::milliseconds(50),
            max_delay: TimeDelta::milliseconds(200),
            give_up_after: TimeDelta::hours(24),
        },
        poll: Duration::from_millis(20),
        clock: clock.clock(),
        ..Settings::default()
    }
}

async fn register(app: &TestApp, url: &str, events: &[&str]) -> Value {
    app.as_(Who::Admin)
        .post("/api/v1/webhooks", &json!({"url": url, "events": events}))
        .await
        .expect(201)
}

/// The meeting the tests' cases are on.
async fn meeting(app: &TestApp) -> Value {
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    app.meeting("ASU", "2024-06-19").await
}

/// A decision point that needs follow-up, in a case of its own.
async fn point(app: &TestApp, meeting: &Value, number: &str) -> Value {
    let case = app.case(meeting, number, "Vedtakslogg").await;
    app.decision(&case, "1", "assignment", &[], Some("2024-09-01"))
        .await
}

/// Sets a point's status, with the note that reopening a point needs.
async fn set_status(app: &TestApp, point: &Value, status: &str) -> Value {
    app.patch(
        &format!("/api/v1/decisions/{}", point["id"].as_str().unwrap()),
        &json!({"status": status, "status_note": format!("Satt til {status}")}),
    )
    .await
    .expect(200)
}

/// The versions of a record, in the order the receiver got them.
fn versions_of(got: &[Received], record: &Value) -> Vec<i64> {
    got.iter()
        .map(Received::json)
        .filter(|body| body["data"]["id"] == record["id"])
        .map(|body| body["data"]["version"].as_i64().unwrap())
        .collect()
}

async fn deliveries(app: &TestApp, webhook: &Value) -> Vec<Value> {
    app.as_(Who::Admin)
        .get(&format!(
            "/api/v1/webhooks/{}/deliveries",
            webhook["id"].as_str().unwrap()
        ))
        .await
        .expect(200)
        .as_array()
        .unwrap()
        .clone()
}

/// Polls the delivery log until `done` holds of it, or panics after a few seconds.
async fn wait_until(app: &TestApp, webhook: &Value, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let log = deliveries(app, webhook).await;
        if done(&log) {
            return log;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the deliveries did not get there: {log:#?}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_status_change_reaches_the_receiver_signed_within_a_second(backend: Backend) {
    let app = TestApp::spawn_allowing_private_webhooks(backend).await;
    let receiver = Receiver::start();
    let webhook = register(&app, &receiver.url(), &["decision.updated"]).await;
    let secret = webhook["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{webhook}");
    // The secret is shown once.
    let listed = app
        .as_(Who::Admin)
        .get("/api/v1/webhooks")
        .await
        .expect(200);
    assert_eq!(listed[0]["id"], webhook["id"]);
    assert!(listed[0].get("secret").is_none(), "{listed}");

    let meeting = meeting(&app).await;
    let point = point(&app, &meeting, "24/24").await;
    let worker = Worker::start(app.store.clone(), settings(&TestClock::default())).unwrap();
    let changed_at = Instant::now();
    let updated = set_status(&app, &point, "in_progress").await;
    let got = receiver.wait_for(1, Duration::from_secs(1)).await;
    assert_eq!(got.len(), 1, "one delivery within a second: {got:?}");
    assert!(changed_at.elapsed() < Duration::from_secs(1));
    let delivery = &got[0];
    assert!(
        verify(&secret, delivery),
        "the signature verifies: {delivery:?}"
    );
    assert!(delivery.headers["webhook-id"].starts_with("msg_"));
    let timestamp: i64 = delivery.headers["webhook-timestamp"].parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 5);
    let body = delivery.json();
    assert_eq!(body["type"], "decision.updated");
    // The record as the API shows it, and what changed.
    assert_eq!(body["data"], updated);
    assert_eq!(
        body["changes"]["status"],
        json!({"from": "open", "to": "in_progress"})
    );
    // The point's creation was not asked for; a signature with another secret fails.
    assert!(!verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", delivery));
    let log = wait_until(&app, &webhook, |log| log[0]["status"] == "delivered").await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["log"][0]["response_status"], 204);
    assert_eq!(
        delivery.headers["webhook-id"],
        format!("msg_{}", log[0]["id"].as_str().unwrap())
    );
    worker.stop();
}

async fn a_receiver_that_is_down_gets_every_change_later_in_order(backend: Backend) {
    let app = TestApp::spawn_allowing_private_webhooks(backend).await;
    let mut receiver = Receiver::down();
    let webhook = register(&app, &receiver.url(), &["decision.*", "case.created"]).await;
    let meeting = meeting(&app).await;
    let first = point(&app, &meeting, "20/24").await;
    let second = point(&app, &meeting, "21/24").await;
    let worker = Worker::start(app.store.clone(), settings(&TestClock::default())).unwrap();
    for status in ["in_progress", "done", "in_progress"] {
        set_status(&app, &first, status).await;
        set_status(&app, &second, status).await;
    }
    // Tried, and failed, while the receiver is down.
    wait_until(&app, &webhook, |log| {
        log.iter()
            .any(|d| d["last_error"].is_string() && d["attempts"].as_i64() >= Some(1))
    })
    .await;
    assert!(receiver.got().is_empty());
    // A restart of the worker in between loses nothing and sends nothing twice.
    worker.stop();
    let worker = Worker::start(app.store.clone(), settings(&TestClock::default())).unwrap();
    receiver.restart();
    let log = wait_until(&app, &webhook, |log| {
        log.iter().all(|d| d["status"] == "delivered")
    })
    .await;
    // 2 cases and 2 points created, and 3 changes to each point.
    assert_eq!(log.len(), 2 + 2 + 6, "{log:#?}");
    let got = receiver.wait_for(log.len(), Duration::from_secs(2)).await;
    let ids: Vec<&str> = got
        .iter()
        .map(|r| r.headers["webhook-id"].as_str())
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "nothing twice: {ids:?}");
    assert_eq!(got.len(), 10);
    // In order for each record: the point's versions rise.
    for point in [&first, &second] {
        assert_eq!(versions_of(&got, point), vec![1, 2, 3, 4]);
    }
    // The log shows the failed tries before the one that went through.
    let retried = log
        .iter()
        .find(|d| d["log"].as_array().unwrap().len() > 1)
        .expect("a delivery that was tried more than once");
    let tries = retried["log"].as_array().unwrap();
    assert!(tries[0]["error"].is_string() && tries[0]["response_status"].is_null());
    assert_eq!(tries.last().unwrap()["response_status"], 204);
    worker.stop();
}

async fn deliveries_that_fail_for_a_day_disable_the_endpoint_with_the_reason(backend: Backend) {
    let app = TestApp::spawn_allowing_private_webhooks(backend).await;
    let mut receiver = Receiver::down();
    let webhook = register(&app, &receiver.url(), &["decision.updated"]).await;
    let id = webhook["id"].as_str().unwrap().to_owned();
    let meeting = meeting(&app).await;
    let point = point(&app, &meeting, "22/24").await;
    let clock = TestClock::default();
    let worker = Worker::start(app.store.clone(), settings(&clock)).unwrap();
    set_status(&app, &point, "in_progress").await;
    wait_until(&app, &webhook, |log| log[0]["attempts"].as_i64() >= Some(1)).await;
    clock.advance(TimeDelta::hours(25));
    let log = wait_until(&app, &webhook, |log| log[0]["status"] == "failed").await;
    assert!(log[0]["last_error"].is_string());
    let shown = app
        .as_(Who::Admin)
        .get(&format!("/api/v1/webhooks/{id}"))
        .await
        .expect(200);
    assert!(shown["disabled_at"].is_string(), "{shown}");
    let reason = shown["disabled_reason"].as_str().unwrap();
    assert!(reason.contains("24 hours"), "{reason}");
    // Changes made while it is disabled are kept for it, not sent.
    set_status(&app, &point, "done").await;
    receiver.restart();
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    assert!(receiver.got().is_empty());
    // Enabled again, it gets both, in order.
    let enabled = app
        .as_(Who::Admin)
        .post(&format!("/api/v1/webhooks/{id}/enable"), &json!({}))
        .await
        .expect(200);
    assert!(enabled["disabled_at"].is_null() && enabled["disabled_reason"].is_null());
    let got = receiver.wait_for(2, Duration::from_secs(5)).await;
    let statuses: Vec<Value> = got
        .iter()
        .map(|r| r.json()["data"]["status"].clone())
        .collect();
    assert_eq!(statuses, vec![json!("in_progress"), json!("done")]);
    worker.stop();
}

async fn a_delivery_can_be_sent_again_with_the_same_id(backend: Backend) {
    let app = TestApp::spawn_allowing_private_webhooks(backend).await;
    let receiver = Receiver::start();
    let webhook = register(&app, &receiver.url(), &["*"]).await;
    let worker = Worker::start(app.store.clone(), settings(&TestClock::default())).unwrap();
    let meeting = meeting(&app).await;
    point(&app, &meeting, "23/24").await;
    let log = wait_until(&app, &webhook, |log| {
        !log.is_empty() && log.iter().all(|d| d["status"] == "delivered")
    })
    .await;
    let before = receiver.got().len();
    let first = log.last().unwrap();
    let again = app
        .as_(Who::Admin)
        .post(
            &format!(
                "/api/v1/webhooks/{}/deliveries/{}/redeliver",
                webhook["id"].as_str().unwrap(),
                first["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await
        .expect(200);
    assert_eq!(again["status"], "pending");
    let got = receiver.wait_for(before + 1, Duration::from_secs(2)).await;
    assert_eq!(got.len(), before + 1);
    assert_eq!(
        got.last().unwrap().headers["webhook-id"],
        format!("msg_{}", first["id"].as_str().unwrap())
    );
    worker.stop();
}

async fn two_workers_send_each_delivery_once_in_order(backend: Backend) {
    let app = TestApp::spawn_allowing_private_webhooks(backend).await;
    let receiver = Receiver::start();
    let webhook = register(&app, &receiver.url(), &["decision.updated"]).await;
    let meeting = meeting(&app).await;
    let mut points = Vec::new();
    for n in 1..=4 {
        points.push(point(&app, &meeting, &format!("{n}/24")).await);
    }
    // Changes queued before either worker runs, so that both find them at once.
    for status in ["in_progress", "done", "in_progress"] {
        for point in &points {
            set_status(&app, point, status).await;
        }
    }
    let clock = TestClock::default();
    let one = Worker::start(app.store.clone(), settings(&clock)).unwrap();
    let two = Worker::start(app.store.clone(), settings(&clock)).unwrap();
    wait_until(&app, &webhook, |log| {
        log.len() == 12 && log.iter().all(|d| d["status"] == "delivered")
    })
    .await;
    one.stop();
    two.stop();
    let got = receiver.got();
    assert_eq!(got.len(), 12, "each once");
    for point in &points {
        assert_eq!(versions_of(&got, point), vec![2, 3, 4]);
    }
}

async fn a_change_refused_queues_nothing_and_removal_drops_the_queue(backend: Backend) {
    let app = TestApp::spawn_allowing_private_webhooks(backend).await;
    let receiver = Receiver::down();
    let webhook = register(&app, &receiver.url(), &["decision.updated"]).await;
    let meeting = meeting(&app).await;
    let point = point(&app, &meeting, "25/24").await;
    let uri = format!("/api/v1/decisions/{}", point["id"].as_str().unwrap());
    // Against an old version: refused, and nothing goes out for it.
    app.as_(Who::Editor)
        .patch_if(&uri, "\"7\"", &json!({"status": "done"}))
        .await
        .expect_problem(412);
    assert!(deliveries(&app, &webhook).await.is_empty());
    set_status(&app, &point, "done").await;
    assert_eq!(deliveries(&app, &webhook).await.len(), 1);
    let id = webhook["id"].as_str().unwrap();
    app.as_(Who::Admin)
        .delete(&format!("/api/v1/webhooks/{id}"))
        .await
        .expect(200);
    app.as_(Who::Admin)
        .get(&format!("/api/v1/webhooks/{id}/deliveries"))
        .await
        .expect_problem(404);
    let pending = app
        .store
        .run(vedtakslogg::store::outbox::pending)
        .await
        .unwrap();
    assert_eq!(pending, 0);
}

async fn webhooks_refuse_bad_input_and_non_admins(backend: Backend) {
    // The operator has not allowed private targets here.
    let app = TestApp::spawn(backend).await;
    let admin = app.as_(Who::Admin);
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.0.0.5/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
    ] {
        let detail = admin
            .post("/api/v1/webhooks", &json!({"url": url, "events": ["*"]}))
            .await
            .expect_problem(422);
        assert!(
            detail.contains("VEDTAKSLOGG_WEBHOOKS_ALLOW_PRIVATE"),
            "{detail}"
        );
    }
    for (body, field) in [
        (
            json!({"url": "ftp://93.184.216.34/", "events": ["*"]}),
            "url",
        ),
        (json!({"url": "not a url", "events": ["*"]}), "url"),
        (
            json!({"url": "https://93.184.216.34/", "events": []}),
            "events",
        ),
        (
            json!({"url": "https://93.184.216.34/", "events": ["decision.closed"]}),
            "events",
        ),
        (
            json!({"url": "https://93.184.216.34/", "events": ["*"], "secret": "x"}),
            "secret",
        ),
        (json!({"events": ["*"]}), "url"),
    ] {
        let detail = admin
            .post("/api/v1/webhooks", &body)
            .await
            .expect_problem(422);
        assert!(detail.contains(field), "{body}: {detail}");
    }
    // Only admins.
    let body = json!({"url": "https://93.184.216.34/", "events": ["*"]});
    app.as_(Who::Editor)
        .post("/api/v1/webhooks", &body)
        .await
        .expect_problem(403);
    app.as_(Who::Reader)
        .get("/api/v1/webhooks")
        .await
        .expect_problem(403);
    app.as_(Who::Anonymous)
        .get("/api/v1/webhooks")
        .await
        .expect_problem(401);
    // Unknown and malformed ids.
    let unknown = uuid::Uuid::new_v4();
    admin
        .get(&format!("/api/v1/webhooks/{unknown}"))
        .await
        .expect_problem(404);
    admin
        .delete("/api/v1/webhooks/nope")
        .await
        .expect_problem(400);
    admin
        .post(
            &format!("/api/v1/webhooks/{unknown}/deliveries/{unknown}/redeliver"),
            &json!({}),
        )
        .await
        .expect_problem(404);
    admin
        .get(&format!("/api/v1/webhooks/{unknown}/deliveries?limit=0"))
        .await
        .expect_problem(400);
    // A public address is taken, and nothing was registered by the refusals.
    admin.post("/api/v1/webhooks", &body).await.expect(201);
    let listed = admin.get("/api/v1/webhooks").await.expect(200);
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

async fn imports_and_passed_deadlines_are_events_too(backend: Backend) {
    let app = TestApp::spawn_allowing_private_webhooks(backend).await;
    let receiver = Receiver::start();
    let webhook = register(
        &app,
        &receiver.url(),
        &["import.completed", "decision.overdue"],
    )
    .await;
    let imported = app
        .send_raw(
            actix_web::http::Method::POST,
            "/api/v1/imports",
            "text/plain; charset=utf-8",
            include_bytes!("../fixtures/asu-2024-06-19-referat.txt").to_vec(),
        )
        .await
        .expect(200);
    // A worker that also looks at the calendar each day (today is long after 30.08.24).
    let clock = TestClock::default();
    let daily = Settings {
        reminders: Some(vedtakslogg::notify::ReminderSettings {
            rules: Default::default(),
            mail: None,
            base_url: "https://vedtak.example.no".into(),
        }),
        ..settings(&clock)
    };
    let worker = Worker::start(app.store.clone(), daily.clone()).unwrap();
    let got = receiver.wait_for(3, Duration::from_secs(5)).await;
    worker.stop();
    let bodies: Vec<Value> = got.iter().map(Received::json).collect();
    assert_eq!(bodies.len(), 3, "{bodies:#?}");
    assert_eq!(bodies[0]["type"], "import.completed");
    assert_eq!(bodies[0]["data"]["id"], imported["import"]["id"]);
    assert_eq!(bodies[0]["data"]["meeting_date"], "2024-06-19");
    let overdue: Vec<&Value> = bodies[1..].iter().map(|b| &b["data"]).collect();
    assert!(bodies[1..].iter().all(|b| b["type"] == "decision.overdue"));
    assert!(
        overdue
            .iter()
            .all(|d| d["deadline"] == "2024-08-30" && d["status"] == "open")
    );
    assert_ne!(overdue[0]["id"], overdue[1]["id"]);
    // Once for a deadline: a restart, or the next day, sends no more.
    let again = Worker::start(app.store.clone(), daily.clone()).unwrap();
    clock.advance(TimeDelta::days(1));
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    again.stop();
    assert_eq!(receiver.got().len(), 3);
    assert_eq!(deliveries(&app, &webhook).await.len(), 3);
}

on_both_backends!(
    imports_and_passed_deadlines_are_events_too,
    passed_deadlines_of_a_large_log_are_told_once_in_batches,
    a_status_change_reaches_the_receiver_signed_within_a_second,
    a_receiver_that_is_down_gets_every_change_later_in_order,
    deliveries_that_fail_for_a_day_disable_the_endpoint_with_the_reason,
    a_delivery_can_be_sent_again_with_the_same_id,
    two_workers_send_each_delivery_once_in_order,
    a_change_refused_queues_nothing_and_removal_drops_the_queue,
    webhooks_refuse_bad_input_and_non_admins,
);

/// More overdue points than one batch holds (500): each is told of once, over several write
/// transactions, and a second run finds none left to tell. Thirteen cases are made through
/// the API, each with point 1; points 2 to 95 of each are copies made in one SQL statement,
/// each with a deadline of its own.
async fn passed_deadlines_of_a_large_log_are_told_once_in_batches(backend: Backend) {
    const CASES: i64 = 13;
    const POINTS: i64 = CASES * 95;
    let app = TestApp::spawn_allowing_private_webhooks(backend).await;
    let receiver = Receiver::down();
    register(&app, &receiver.url(), &["decision.overdue"]).await;
    let meeting = meeting(&app).await;
    for case in 1..=CASES {
        point(&app, &meeting, &format!("{case}/24")).await;
    }
    let (series, id, deadline) = match backend {
        Backend::Sqlite => (
            "WITH RECURSIVE s(n) AS (SELECT 2 UNION ALL SELECT n + 1 FROM s WHERE n < 95) SELECT n FROM s",
            "printf('00000000-0000-4000-8000-%012d', d.case_serial * 1000 + n)",
            "date('2024-01-01', '+' || (n * d.case_serial % 300) || ' days')",
        ),
        Backend::Postgres => (
            "SELECT generate_series(2, 95) AS n",
            "'00000000-0000-4000-8000-' || lpad(CAST(d.case_serial * 1000 + n AS TEXT), 12, '0')",
            "CAST('2024-01-01' AS DATE) + CAST(n * d.case_serial % 300 AS INTEGER)",
        ),
    };
    let sql = format!(
        "INSERT INTO decisions (id, case_id, position, position_sort, text, kind, deadline, status, \
         search_text, created_at, updated_at, version, updated_by, is_public, case_committee, \
         case_year, case_serial) \
         SELECT {id}, d.case_id, CAST(n AS TEXT), n, d.text, d.kind, {deadline}, d.status, \
         d.search_text, d.created_at, d.updated_at, 1, d.updated_by, d.is_public, d.case_committee, \
         d.case_year, d.case_serial FROM ({series}) s, decisions d"
    );
    app.store
        .run_blocking(move |conn| {
            use diesel::RunQueryDsl;
            diesel::sql_query(sql).execute(conn)?;
            Ok(())
        })
        .unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let at = today.and_hms_opt(6, 0, 0).unwrap();
    let run = || {
        app.store
            .run_blocking(move |conn| {
                vedtakslogg::store::reminders::overdue_events(conn, today, at)
            })
            .unwrap()
    };
    assert_eq!(run(), POINTS as usize, "every overdue point, once");
    assert_eq!(run(), 0, "none told twice");
    let keys: i64 = app
        .store
        .run_blocking(|conn| {
            use diesel::prelude::*;
            use vedtakslogg::store::schema::reminder_keys;
            Ok(reminder_keys::table.count().get_result(conn)?)
        })
        .unwrap();
    assert_eq!(keys, POINTS);
}
