//! Two users at once: writers never corrupt each other's work, and a collision is a 409.

use futures::future::join_all;
use serde_json::{Value, json};
use vedtakslogg::config::Backend;

use crate::helpers::{TestApp, Who};

crate::on_both_backends!(
    two_secretaries_recording_the_same_case_number_get_one_case_and_one_conflict,
    many_points_recorded_at_once_are_all_kept,
    two_people_registering_the_same_owner_get_one_owner,
    two_editors_with_the_same_etag_get_one_change_and_one_412,
    fifty_concurrent_changes_lose_nothing,
);

/// A connection lost under a request (the server restarted, a network cut) is the database
/// being away, 503 with a time to try again, never a 500; the pool replaces what broke. Only
/// PostgreSQL has a connection to lose: SQLite is a file in the process.
#[actix_web::test]
async fn a_lost_database_connection_is_a_503_and_the_next_request_gets_a_new_one() {
    if crate::helpers::postgres_url().is_none() {
        eprintln!(
            "skipped: set {} to run this",
            crate::helpers::POSTGRES_URL_VAR
        );
        return;
    }
    let app = TestApp::spawn(Backend::Postgres).await;
    let (uri, _) = recorded_point(&app).await;
    app.get(&uri).await.expect(200);
    assert!(
        app.cut_database_connections() > 0,
        "the pool held a connection"
    );
    let mut answers = Vec::new();
    // Each pooled connection fails once, at most; then every one is new.
    for _ in 0..8 {
        let response = app.get(&uri).await;
        if response.status.as_u16() == 503 {
            assert!(response.header("retry-after").is_some());
            response.expect_problem(503);
        }
        answers.push(response.status.as_u16());
    }
    assert!(
        answers.contains(&503),
        "a request met a cut connection: {answers:?}"
    );
    assert!(
        answers.iter().all(|status| [200, 503].contains(status)),
        "{answers:?}"
    );
    assert_eq!(answers.last(), Some(&200), "the pool recovers: {answers:?}");
}

async fn recorded_point(app: &TestApp) -> (String, Value) {
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let meeting = app.meeting("ASU", "2024-06-19").await;
    let case = app.case(&meeting, "24/24", "Status Handlingsplan").await;
    let point = app
        .decision(&case, "2", "assignment", &["Sekretariatet"], None)
        .await;
    (
        format!("/api/v1/decisions/{}", point["id"].as_str().unwrap()),
        point,
    )
}

async fn two_editors_with_the_same_etag_get_one_change_and_one_412(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (uri, _) = recorded_point(&app).await;
    let read = app.get(&uri).await;
    let etag = read.header("etag").unwrap().to_owned();
    assert!(
        etag.starts_with("\"1."),
        "version 1, and a hash of the body: {etag}"
    );
    let editor = app.as_(Who::Editor);
    let first = json!({"status": "in_progress", "status_note": "Første utkast"});
    let second = json!({"deadline": "2024-12-06"});
    let (a, b) = futures::join!(
        editor.patch_if(&uri, &etag, &first),
        editor.patch_if(&uri, &etag, &second)
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 412]);
    let (won, lost) = if a.status == 200 { (&a, &b) } else { (&b, &a) };
    assert_eq!(won.header("etag"), Some("\"2\""));
    assert_eq!(lost.json()["current_version"], 2);
    assert_eq!(
        lost.header("content-type"),
        Some("application/problem+json")
    );
    let history = app.get(&format!("{uri}/history")).await.expect(200);
    let entries = history.as_array().unwrap();
    assert_eq!(
        entries.len(),
        2,
        "created, and the one accepted change: {history}"
    );
    assert_eq!(entries[1]["version"], 2);
    assert_eq!(entries[1]["actor"], "Sekretariatet");
    let accepted = won.json();
    let changed: Vec<&String> = entries[1]["changes"].as_object().unwrap().keys().collect();
    if accepted["deadline"] == "2024-12-06" {
        assert_eq!(changed, ["deadline"]);
    } else {
        assert_eq!(changed, ["status", "status_note"]);
    }
}

async fn fifty_concurrent_changes_lose_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (uri, _) = recorded_point(&app).await;
    let editor = app.as_(Who::Editor);
    let attempts = (0..50).map(|i| {
        let uri = uri.clone();
        let editor = &editor;
        let app = &app;
        async move {
            let note = format!("Endring {i}");
            // Read, change, and on 412 read again, as a careful client does. Bounded, so that
            // the test ends whatever happens.
            let mut last = None;
            for _ in 0..200 {
                let read = app.get(&uri).await.expect(200);
                let etag = format!("\"{}\"", read["version"]);
                let response = editor
                    .patch_if(&uri, &etag, &json!({"status_note": note}))
                    .await;
                let done = response.status != 412;
                last = Some(response);
                if done {
                    break;
                }
            }
            (note, last.expect("at least one attempt"))
        }
    });
    let results = join_all(attempts).await;
    let mut accepted = Vec::new();
    for (note, response) in &results {
        match response.status.as_u16() {
            200 => accepted.push((response.json()["version"].as_i64().unwrap(), note.clone())),
            412 => assert!(response.json()["current_version"].as_i64().is_some()),
            other => panic!(
                "unexpected status {other}: {}",
                String::from_utf8_lossy(&response.body)
            ),
        }
    }
    assert_eq!(
        accepted.len(),
        50,
        "with retries, every change gets through in the end"
    );
    accepted.sort();
    let history = app.get(&format!("{uri}/history")).await.expect(200);
    let updates: Vec<(i64, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "updated")
        .map(|e| {
            (
                e["version"].as_i64().unwrap(),
                e["changes"]["status_note"]["to"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        updates, accepted,
        "every accepted change is in the history, and nothing else"
    );
    let versions: Vec<i64> = updates.iter().map(|(v, _)| *v).collect();
    assert_eq!(
        versions,
        (2..2 + accepted.len() as i64).collect::<Vec<_>>(),
        "versions are consecutive"
    );
    let last = app.get(&uri).await.expect(200);
    assert_eq!(last["version"], 1 + accepted.len() as i64);
    assert_eq!(last["status_note"], accepted.last().unwrap().1.as_str());
}

async fn two_secretaries_recording_the_same_case_number_get_one_case_and_one_conflict(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let meeting = app.meeting("ASU", "2024-06-19").await;
    for round in 1..=5 {
        let requests = ["{round}/24", "0{round}/24"].map(|pattern| {
            let number = pattern.replace("{round}", &round.to_string());
            app.post(
                "/api/v1/cases",
                &json!({"meeting_id": meeting["id"], "number": number, "title": "Samtidig"}),
            )
        });
        let mut statuses: Vec<u16> = join_all(requests)
            .await
            .iter()
            .map(|r| r.status.as_u16())
            .collect();
        statuses.sort();
        assert_eq!(statuses, [201, 409], "round {round}");
    }
    assert_eq!(app.get("/api/v1/cases").await.expect(200)["total"], 5);
}

async fn many_points_recorded_at_once_are_all_kept(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let meeting = app.meeting("ASU", "2024-06-19").await;
    let case = app.case(&meeting, "24/24", "Status Handlingsplan").await;
    let requests = (1..=20).map(|position| {
        app.post(
            "/api/v1/decisions",
            &json!({"case_id": case["id"], "position": position.to_string(), "text": format!("Punkt {position}"),
                    "kind": "assignment", "owners": [{"owner": "Sekretariatet"}, {"owner": "AU"}]}),
        )
    });
    let responses = join_all(requests).await;
    for response in &responses {
        response.expect(201);
    }
    let list = app
        .get("/api/v1/decisions?limit=200&owner=AU")
        .await
        .expect(200);
    assert_eq!(list["total"], 20);
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["owners"].as_array().unwrap().len() == 2)
    );
}

async fn two_people_registering_the_same_owner_get_one_owner(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let before = app
        .get("/api/v1/owners")
        .await
        .expect(200)
        .as_array()
        .unwrap()
        .len();
    let requests = ["Kvalitetsgruppen", "kvalitetsgruppen"]
        .map(|name| app.post("/api/v1/owners", &json!({"name": name, "kind": "body"})));
    let mut statuses: Vec<u16> = join_all(requests)
        .await
        .iter()
        .map(|r| r.status.as_u16())
        .collect();
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
    assert_eq!(
        app.get("/api/v1/owners")
            .await
            .expect(200)
            .as_array()
            .unwrap()
            .len(),
        before + 1
    );
}

/// A PostgreSQL writer waits for its turn only as long as `lock_timeout` says (10 s unless the
/// operator sets it, here 300 ms through the URL), then gets 503 with Retry-After, and nothing
/// is written.
#[actix_web::test]
async fn a_writer_kept_waiting_for_its_turn_gets_503_with_retry_after() {
    use actix_web::test;
    use diesel::connection::SimpleConnection;
    use diesel::{Connection, PgConnection};
    use vedtakslogg::api::auth::AccessSettings;
    use vedtakslogg::domain::Role;
    use vedtakslogg::store::Store;
    use vedtakslogg::store::tokens::{self, NewToken};

    let Some(admin_url) = crate::helpers::postgres_url() else {
        eprintln!("skipped: set {}", crate::helpers::POSTGRES_URL_VAR);
        return;
    };
    let (mut config, _database) = crate::helpers::TestDatabase::create(Backend::Postgres);
    // Without a setting of the operator's, the service bounds the wait itself.
    let (plain, _) = Store::open(&config).expect("the store opens");
    let bound = plain
        .run(|conn| {
            #[derive(diesel::QueryableByName)]
            struct Setting {
                #[diesel(sql_type = diesel::sql_types::Text)]
                lock_timeout: String,
            }
            use diesel::RunQueryDsl;
            Ok(diesel::sql_query("SHOW lock_timeout")
                .get_result::<Setting>(conn)?
                .lock_timeout)
        })
        .await
        .unwrap();
    assert_eq!(bound, "10s");
    config.url = config
        .url
        .replace("options=", "options=-clock_timeout%3D300%20");
    let (store, _) = Store::open(&config).expect("the store opens");
    let secret = store
        .run_blocking(|conn| {
            tokens::create(
                conn,
                NewToken {
                    name: "editor".parse().unwrap(),
                    role: Role::Editor,
                },
                "test",
            )
        })
        .unwrap()
        .secret;
    let app = test::init_service(vedtakslogg::startup::app(
        store.clone(),
        AccessSettings { public_read: false },
    ))
    .await;
    let create = || {
        test::TestRequest::post()
            .uri("/api/v1/committees")
            .insert_header(("authorization", format!("Bearer {secret}")))
            .set_json(json!({"code": "ASU", "name": "Administrativt samarbeidsutvalg"}))
            .to_request()
    };

    // Another session holds the writers' turn (the advisory lock every writer takes).
    let mut holder = PgConnection::establish(&admin_url).unwrap();
    holder
        .batch_execute("SELECT pg_advisory_lock(130177849123179)")
        .unwrap();
    let refused = test::call_service(&app, create()).await;
    holder
        .batch_execute("SELECT pg_advisory_unlock(130177849123179)")
        .unwrap();
    assert_eq!(refused.status(), 503);
    assert_eq!(
        refused
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap()),
        Some("2")
    );
    assert_eq!(
        refused.headers().get("content-type").unwrap(),
        "application/problem+json"
    );
    let listed: Value = test::call_and_read_body_json(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/committees")
            .insert_header(("authorization", format!("Bearer {secret}")))
            .to_request(),
    )
    .await;
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(0),
        "nothing was written: {listed}"
    );

    // Its turn free again, the same request goes through.
    let accepted = test::call_service(&app, create()).await;
    assert_eq!(accepted.status(), 201);
}
