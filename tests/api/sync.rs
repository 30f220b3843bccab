//! Mirroring the log by polling: updated_since with tombstones, ETags and 304, Link headers.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use vedtakslogg::config::Backend;

use crate::helpers::{TestApp, Who};

crate::on_both_backends!(
    a_polling_mirror_ends_with_exactly_the_servers_state,
    unchanged_lists_answer_304_and_pages_link_to_the_next,
    mirrors_of_cases_and_meetings_follow_counts_moves_and_deletions,
);

/// One poll: every change at or after `since`, page by page; returns the newest `updated_at`.
async fn poll(app: &TestApp, mirror: &mut BTreeMap<String, Value>, since: &str) -> String {
    let reader = app.as_(Who::Reader);
    let mut uri = format!("/api/v1/decisions?updated_since={since}&limit=3");
    let mut newest = since.to_owned();
    loop {
        let response = reader.get(&uri).await;
        let link = response.header("link").map(str::to_owned);
        let page = response.expect(200);
        for item in page["items"].as_array().unwrap() {
            let id = item["id"].as_str().unwrap().to_owned();
            let newer = mirror
                .get(&id)
                .is_none_or(|known| known["version"].as_i64() <= item["version"].as_i64());
            if newer {
                mirror.insert(id, item.clone());
            }
            newest = newest.max(item["updated_at"].as_str().unwrap().to_owned());
        }
        match link {
            Some(link) => {
                let next = link
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap()
                    .to_owned();
                assert!(next.starts_with("/api/v1/decisions?"), "{link}");
                uri = next;
            }
            None => {
                assert_eq!(page["next_cursor"], Value::Null);
                return newest;
            }
        }
    }
}

async fn a_polling_mirror_ends_with_exactly_the_servers_state(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let meeting = app.meeting("ASU", "2024-06-19").await;
    let case = app.case(&meeting, "24/24", "Status Handlingsplan").await;
    let mut mirror = BTreeMap::new();
    let mut since = "2000-01-01T00:00:00Z".to_owned();
    let mut points: Vec<Value> = Vec::new();
    for round in 0..6 {
        // Another client writes: new points, changes, deletions, between and during polls.
        for n in 0..4 {
            let position = (round * 4 + n + 1).to_string();
            points.push(
                app.decision(&case, &position, "assignment", &["AU"], None)
                    .await,
            );
        }
        let changed_uri = format!(
            "/api/v1/decisions/{}",
            points[round * 2]["id"].as_str().unwrap()
        );
        let change_body = json!({"status": "in_progress", "status_note": format!("runde {round}")});
        let poll_now = poll(&app, &mut mirror, &since);
        let change = app.patch(&changed_uri, &change_body);
        let (newest, _) = futures::join!(poll_now, change);
        if round == 2 {
            // What every point shows of its case changes: the mirror must hear of it.
            app.patch(
                &format!("/api/v1/cases/{}", case["id"].as_str().unwrap()),
                &json!({"title": "Handlingsplan – status"}),
            )
            .await
            .expect(200);
        }
        if round % 2 == 1 {
            let gone = points[round * 3]["id"].as_str().unwrap().to_owned();
            app.delete(&format!("/api/v1/decisions/{gone}")).await;
        }
        since = newest;
    }
    poll(&app, &mut mirror, &since).await;
    let live: BTreeMap<String, Value> = mirror
        .into_iter()
        .filter(|(_, item)| item["deleted_at"].is_null())
        .collect();
    let server = app.get("/api/v1/decisions?limit=200").await.expect(200);
    let expected: BTreeMap<String, Value> = server["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| (item["id"].as_str().unwrap().to_owned(), item.clone()))
        .collect();
    assert_eq!(live.len(), expected.len());
    assert_eq!(
        live, expected,
        "the mirror holds exactly the server's points, each at its latest version"
    );
    assert_eq!(expected.len(), 24 - 3);
}

async fn unchanged_lists_answer_304_and_pages_link_to_the_next(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let meeting = app.meeting("ASU", "2024-06-19").await;
    let case = app.case(&meeting, "24/24", "Status Handlingsplan").await;
    for n in 1..=3 {
        app.decision(&case, &n.to_string(), "assignment", &["AU"], None)
            .await;
    }
    let reader = app.as_(Who::Reader);
    let first = reader.get("/api/v1/decisions?limit=2&status=open").await;
    let etag = first.header("etag").expect("a list has an ETag").to_owned();
    let link = first.header("link").expect("a next page").to_owned();
    assert!(link.ends_with("; rel=\"next\""), "{link}");
    assert!(
        link.contains("status=open") && link.contains("limit=2") && link.contains("cursor="),
        "{link}"
    );
    let conditional = |tag: String| {
        reader.send(
            actix_web::test::TestRequest::get()
                .uri("/api/v1/decisions?limit=2&status=open")
                .insert_header(("if-none-match", tag)),
        )
    };
    let unchanged = conditional(etag.clone()).await;
    assert_eq!(unchanged.status, 304);
    assert!(unchanged.body.is_empty());
    assert_eq!(unchanged.header("etag"), Some(etag.as_str()));
    app.decision(&case, "4", "assignment", &["AU"], None).await;
    let changed = conditional(etag.clone()).await;
    assert_eq!(changed.status, 200, "a change gives a new answer");
    assert_ne!(changed.header("etag"), Some(etag.as_str()));
    // A record's ETag holds its version (for If-Match) and a hash of what it shows, which
    // changes when its points do.
    let case_uri = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
    let read = reader.get(&case_uri).await;
    let case_tag = read.header("etag").unwrap().to_owned();
    assert!(case_tag.starts_with("\"1."), "{case_tag}");
    let if_none_match = |tag: String| {
        reader.send(
            actix_web::test::TestRequest::get()
                .uri(&case_uri)
                .insert_header(("if-none-match", tag)),
        )
    };
    assert_eq!(if_none_match(case_tag.clone()).await.status, 304);
    app.decision(&case, "5", "assignment", &["AU"], None).await;
    assert_eq!(
        if_none_match(case_tag.clone()).await.status,
        200,
        "a new point changes the case's answer"
    );
    // The read ETag works as If-Match.
    app.as_(Who::Editor)
        .patch_if(&case_uri, &case_tag, &json!({"status": "decided"}))
        .await
        .expect(200);
    app.get("/api/v1/decisions?updated_since=2024-06-19&limit=2")
        .await
        .expect_problem(400);
    // Another order may be asked for: the same changes, listed by case.
    let since = "/api/v1/decisions?updated_since=2024-06-19T00:00:00Z&limit=200";
    let mut by_change = app.list_ids(since).await;
    let mut by_case = app.list_ids(&format!("{since}&sort=case")).await;
    assert!(!by_change.is_empty());
    by_change.sort();
    by_case.sort();
    assert_eq!(by_case, by_change);
}

/// Polls a list with updated_since until its last page; keeps the newest answer about each id.
async fn poll_list(
    app: &TestApp,
    list: &str,
    mirror: &mut BTreeMap<String, Value>,
    since: &str,
) -> String {
    let mut uri = format!("/api/v1/{list}?updated_since={since}&limit=2");
    let mut newest = since.to_owned();
    loop {
        let response = app.as_(Who::Reader).get(&uri).await;
        let link = response.header("link").map(str::to_owned);
        for item in response.expect(200)["items"].as_array().unwrap() {
            let id = item["id"].as_str().unwrap().to_owned();
            if mirror
                .get(&id)
                .is_none_or(|known| known["updated_at"].as_str() <= item["updated_at"].as_str())
            {
                mirror.insert(id, item.clone());
            }
            newest = newest.max(item["updated_at"].as_str().unwrap().to_owned());
        }
        match link {
            Some(link) => {
                uri = link
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap()
                    .to_owned()
            }
            None => return newest,
        }
    }
}

fn live(mirror: BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    mirror
        .into_iter()
        .filter(|(_, item)| item["deleted_at"].is_null())
        .collect()
}

async fn server(app: &TestApp, list: &str) -> BTreeMap<String, Value> {
    let body = app
        .get(&format!("/api/v1/{list}?limit=200"))
        .await
        .expect(200);
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["id"].as_str().unwrap().to_owned(), i.clone()))
        .collect()
}

async fn mirrors_of_cases_and_meetings_follow_counts_moves_and_deletions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let (mut cases, mut meetings) = (BTreeMap::new(), BTreeMap::new());
    let (mut cases_since, mut meetings_since) = (
        "2000-01-01T00:00:00Z".to_owned(),
        "2000-01-01T00:00:00Z".to_owned(),
    );
    let june = app.meeting("ASU", "2024-06-19").await;
    let august = app.meeting("ASU", "2024-08-30").await;
    let mut recorded = Vec::new();
    for round in 0..4 {
        let case = app
            .case(
                &june,
                &format!("{}/24", 20 + round),
                &format!("Sak {round}"),
            )
            .await;
        if round % 2 == 0 {
            // The case's count of points changes.
            app.decision(&case, "1", "assignment", &["AU"], None).await;
        }
        recorded.push(case);
        cases_since = poll_list(&app, "cases", &mut cases, &cases_since).await;
        meetings_since = poll_list(&app, "meetings", &mut meetings, &meetings_since).await;
        match round {
            1 => {
                // Moved to another meeting: both meetings' counts change.
                let uri = format!("/api/v1/cases/{}", recorded[1]["id"].as_str().unwrap());
                app.patch(&uri, &json!({"meeting_id": august["id"]}))
                    .await
                    .expect(200);
            }
            2 => {
                let uri = format!("/api/v1/cases/{}", recorded[1]["id"].as_str().unwrap());
                assert_eq!(app.delete(&uri).await.status, 204);
            }
            _ => {}
        }
    }
    poll_list(&app, "cases", &mut cases, &cases_since).await;
    poll_list(&app, "meetings", &mut meetings, &meetings_since).await;
    assert_eq!(live(cases), server(&app, "cases").await);
    assert_eq!(live(meetings), server(&app, "meetings").await);
    // A filter narrows the changes to the records that match it as they are now.
    let all = app
        .as_(Who::Reader)
        .get("/api/v1/cases?updated_since=2024-01-01T00:00:00Z&limit=200")
        .await
        .expect(200);
    let planned_now: Vec<&Value> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|case| case["status"] == "planned")
        .collect();
    let planned = app
        .as_(Who::Reader)
        .get("/api/v1/cases?updated_since=2024-01-01T00:00:00Z&status=planned&limit=200")
        .await
        .expect(200);
    assert_eq!(
        planned["items"]
            .as_array()
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        planned_now
    );
    app.as_(Who::Reader)
        .get("/api/v1/meetings?updated_since=2024-01-01T00:00:00Z&committee=ASU")
        .await
        .expect(200);
}
