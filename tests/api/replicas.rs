//! Two service processes on one PostgreSQL database, as behind a load balancer, one of them on
//! a clock five minutes slow: a mirror polling either of them ends equal to the database.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use vedtakslogg::config::Backend;

use crate::helpers::{POSTGRES_URL_VAR, TestDatabase, postgres_url};

/// One running `vedtakslogg serve`, killed when dropped.
struct Instance {
    child: Child,
    base: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Instance {
    /// Starts the real binary on a free port with extra environment, and waits until it says
    /// where it serves. The binary is the child itself (no wrapper process), so that dropping
    /// the instance stops it.
    fn start(database_url: &str, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_vedtakslogg"));
        let mut child = command
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("DATABASE_URL", database_url)
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let stderr = child.stderr.take().unwrap();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("is serving at ").nth(1) {
                    let _ = ready_tx.send(rest.split_whitespace().next().unwrap_or("").to_owned());
                }
            }
        });
        let base = ready_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the service says where it serves");
        Self {
            child,
            base: base.trim_end_matches('/').to_owned(),
        }
    }
}

/// A client of both instances, with the admin token.
struct Client {
    http: awc::Client,
    token: String,
}

impl Client {
    async fn send(
        &self,
        instance: &Instance,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", instance.base))
            .insert_header(("authorization", format!("Bearer {}", self.token)));
        if method == "PATCH" {
            // Changes are made to the version just read.
            let (_, current) = Box::pin(self.send(instance, "GET", path, None)).await;
            request = request.insert_header(("if-match", format!("\"{}\"", current["version"])));
        }
        let mut response = match body {
            Some(body) => request.send_json(&body).await,
            None => request.send().await,
        }
        .expect("the instance answers");
        let bytes = response.body().limit(16 << 20).await.expect("a body");
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).expect("JSON")
        };
        (response.status().as_u16(), value)
    }

    async fn expect(
        &self,
        instance: &Instance,
        method: &str,
        path: &str,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let (got, value) = self.send(instance, method, path, body).await;
        assert_eq!(got, status, "{method} {path} at {}: {value}", instance.base);
        value
    }

    /// Every page of a list, following `next_cursor`.
    async fn all(&self, instance: &Instance, path: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let separator = if path.contains('?') { '&' } else { '?' };
            let uri = match &cursor {
                Some(cursor) => format!("{path}{separator}limit=100&cursor={cursor}"),
                None => format!("{path}{separator}limit=100"),
            };
            let page = self.expect(instance, "GET", &uri, None, 200).await;
            items.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_str() {
                Some(next) => {
                    cursor = Some(form_urlencoded::byte_serialize(next.as_bytes()).collect())
                }
                None => return items,
            }
        }
    }
}

/// A mirror that polls by change time: keeps the newest answer about each point.
#[derive(Default)]
struct Mirror {
    points: BTreeMap<String, Value>,
    since: String,
}

impl Mirror {
    async fn poll(&mut self, client: &Client, instance: &Instance) {
        let since = if self.since.is_empty() {
            "1970-01-01T00:00:00Z".to_owned()
        } else {
            self.since.clone()
        };
        let path = format!(
            "/api/v1/decisions?updated_since={}",
            form_urlencoded::byte_serialize(since.as_bytes()).collect::<String>()
        );
        for item in client.all(instance, &path).await {
            let id = item["id"].as_str().unwrap().to_owned();
            if self
                .points
                .get(&id)
                .is_none_or(|known| known["version"].as_i64() <= item["version"].as_i64())
            {
                self.points.insert(id, item.clone());
            }
            self.since = self
                .since
                .clone()
                .max(item["updated_at"].as_str().unwrap().to_owned());
        }
    }

    /// The live points as (id, version).
    fn live(&self) -> BTreeMap<String, i64> {
        self.points
            .iter()
            .filter(|(_, point)| point["deleted_at"].is_null())
            .map(|(id, point)| (id.clone(), point["version"].as_i64().unwrap()))
            .collect()
    }
}

/// libfaketime, where Debian's `faketime` package puts it (the loader reads `$LIB` as the
/// machine's library directory, such as lib/x86_64-linux-gnu).
const FAKETIME_LIBRARY: &str = "/usr/$LIB/faketime/libfaketime.so.1";

/// Whether libfaketime is there and sets a clock back: `date` five minutes slow.
fn faketime_available() -> bool {
    let date = |env: &[(&str, &str)]| {
        Command::new("date")
            .arg("+%s")
            .envs(env.iter().copied())
            .output()
            .ok()
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .and_then(|text| text.trim().parse::<i64>().ok())
    };
    match (
        date(&[]),
        date(&[("LD_PRELOAD", FAKETIME_LIBRARY), ("FAKETIME", "-300s")]),
    ) {
        (Some(now), Some(slow)) => (now - slow - 300).abs() < 10,
        _ => false,
    }
}

#[actix_web::test]
async fn a_mirror_of_two_instances_with_clocks_apart_misses_no_change() {
    if postgres_url().is_none() {
        eprintln!("skipped: set {POSTGRES_URL_VAR} to run this");
        return;
    }
    if !faketime_available() {
        // .ci/run installs it; a developer's machine may not have it.
        eprintln!(
            "skipped: needs faketime (apt-get install faketime) to set one instance's clock back"
        );
        return;
    }
    let (config, _database) = TestDatabase::create(Backend::Postgres);
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    let on_time = Instance::start(
        &config.url,
        &[(
            "VEDTAKSLOGG_INITIAL_ADMIN_TOKEN_FILE",
            token_file.to_str().unwrap(),
        )],
    );
    // libfaketime, preloaded into the binary itself (the `faketime` command would run it as a
    // child of its own, which outlives a kill of the command).
    let slow = Instance::start(
        &config.url,
        &[("LD_PRELOAD", FAKETIME_LIBRARY), ("FAKETIME", "-300s")],
    );
    // The slow instance's own clock is five minutes behind: its Date header says so.
    let clock_of = |instance: &Instance| {
        let url = format!("{}/healthz", instance.base);
        async move {
            let response = awc::Client::new().get(url).send().await.expect("an answer");
            let date = response
                .headers()
                .get("date")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            chrono::DateTime::parse_from_rfc2822(&date.replace("GMT", "+0000")).unwrap()
        }
    };
    let behind = clock_of(&on_time).await - clock_of(&slow).await;
    assert!(
        (290..=310).contains(&behind.num_seconds()),
        "the slow instance is {behind} behind"
    );
    let client = Client {
        http: awc::Client::builder()
            .timeout(Duration::from_secs(30))
            .finish(),
        token: std::fs::read_to_string(&token_file)
            .unwrap()
            .trim()
            .to_owned(),
    };

    client
        .expect(
            &on_time,
            "POST",
            "/api/v1/committees",
            Some(json!({"code": "ASU", "name": "Administrativt samarbeidsutvalg"})),
            201,
        )
        .await;
    let meeting = client
        .expect(
            &slow,
            "POST",
            "/api/v1/meetings",
            Some(json!({"committee": "ASU", "date": "2024-06-19"})),
            201,
        )
        .await;
    let case = client
        .expect(&on_time, "POST", "/api/v1/cases", Some(json!({"meeting_id": meeting["id"], "number": "24/24", "title": "Status Handlingsplan"})), 201)
        .await;

    let instances = [&on_time, &slow];
    let mut mirror = Mirror::default();
    let mut points: Vec<String> = Vec::new();
    for round in 0..24 {
        // Writes alternate between the instances; the mirror polls one, then the other.
        let writer = instances[round % 2];
        match round % 4 {
            0 | 1 => {
                let point = client
                    .expect(writer, "POST", "/api/v1/decisions", Some(json!({
                        "case_id": case["id"], "position": (round + 1).to_string(), "kind": "assignment",
                        "text": format!("ASU ber sekretariatet følge opp punkt {}.", round + 1),
                        "owners": [{"owner": "Sekretariatet"}],
                    })), 201)
                    .await;
                points.push(point["id"].as_str().unwrap().to_owned());
            }
            2 => {
                let id = &points[round % points.len()];
                client
                    .expect(writer, "PATCH", &format!("/api/v1/decisions/{id}"), Some(json!({"status": "in_progress", "status_note": format!("runde {round}")})), 200)
                    .await;
            }
            _ => {
                let id = points.remove(0);
                client
                    .expect(
                        writer,
                        "DELETE",
                        &format!("/api/v1/decisions/{id}"),
                        None,
                        204,
                    )
                    .await;
            }
        }
        mirror.poll(&client, instances[(round / 2) % 2]).await;
    }
    mirror.poll(&client, &slow).await;

    let server: BTreeMap<String, i64> = client
        .all(&on_time, "/api/v1/decisions")
        .await
        .iter()
        .map(|point| {
            (
                point["id"].as_str().unwrap().to_owned(),
                point["version"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(server.len(), points.len());
    assert_eq!(
        mirror.live(),
        server,
        "the mirror holds exactly what the database holds"
    );
}
