//! Follow-ups across meetings: references proposed as links, the chain of a matter, cycles,
//! and postponements, with the cases of real ASU documents.

use serde_json::{Value, json};
use vedtakslogg::config::Backend;
use vedtakslogg::domain::{CaseNumber, CommitteeCode};
use vedtakslogg::store::{Visibility, chains};

use crate::helpers::TestApp;

crate::on_both_backends!(
    references_in_real_documents_are_proposed_as_links,
    a_rejected_proposal_is_not_made_again,
    the_chain_of_a_matter_runs_both_ways_in_date_order,
    a_link_that_would_make_a_cycle_is_refused,
    a_chain_of_fifty_cases_takes_as_many_queries_as_a_chain_of_two,
    a_postponed_case_stays_open_until_the_case_it_went_to_is_decided,
);

/// The cases of a meeting document: (number, title, text), split at its "Sak: NN/YY" lines.
fn cases_of(document: &str) -> Vec<(String, String, String)> {
    let mut cases: Vec<(String, String, String)> = Vec::new();
    for line in document.lines() {
        if let Some(rest) = line.strip_prefix("Sak: ") {
            let rest = rest.trim();
            let (number, title) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let title = title.trim().trim_matches('*').trim().to_owned();
            cases.push((number.to_owned(), title, String::new()));
        } else if let Some(case) = cases.last_mut() {
            case.2.push_str(line);
            case.2.push('\n');
        }
    }
    cases
}

const NOTICE_2023_10_04: &str = include_str!("../fixtures/asu-2023-10-04-innkalling.txt");
const MINUTES_2024_06_19: &str = include_str!("../fixtures/asu-2024-06-19-referat.txt");

/// Records a meeting and its cases, with their texts as narrative.
async fn record_document(app: &TestApp, date: &str, document: &str) -> Vec<Value> {
    app.meeting("ASU", date).await;
    let mut recorded = Vec::new();
    for (number, title, text) in cases_of(document) {
        let case = app
            .post(
                "/api/v1/cases",
                &json!({"committee": "ASU", "meeting_date": date, "number": number, "title": title, "narrative": text}),
            )
            .await
            .expect(201);
        recorded.push(case);
    }
    recorded
}

fn id(value: &Value) -> &str {
    value["id"].as_str().unwrap()
}

/// The proposals of a case, as (kind, target number, target case id) for those by number.
async fn proposals_of(app: &TestApp, number: &str) -> Vec<(String, String, Value)> {
    let case = app
        .get(&format!(
            "/api/v1/committees/ASU/cases/{}",
            number.replace('/', "-")
        ))
        .await
        .expect(200);
    let list = app
        .get(&format!("/api/v1/proposals?case={}", id(&case)))
        .await
        .expect(200);
    let mut found: Vec<(String, String, Value)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_owned(),
                p["target"]["number"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                p["target"]["case_id"].clone(),
            )
        })
        .collect();
    found.sort_by(|a, b| a.1.cmp(&b.1));
    found
}

async fn accept(app: &TestApp, case_number: &str, target: &str) -> Value {
    let case = app
        .get(&format!(
            "/api/v1/committees/ASU/cases/{}",
            case_number.replace('/', "-")
        ))
        .await
        .expect(200);
    let list = app
        .get(&format!(
            "/api/v1/proposals?case={}&status=proposed",
            id(&case)
        ))
        .await
        .expect(200);
    let proposal = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["target"]["number"] == target)
        .unwrap_or_else(|| panic!("{case_number} proposes {target}: {list}"))
        .clone();
    app.post(
        &format!("/api/v1/proposals/{}/accept", id(&proposal)),
        &json!({}),
    )
    .await
    .expect(200)
}

async fn references_in_real_documents_are_proposed_as_links(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    record_document(&app, "2023-10-04", NOTICE_2023_10_04).await;
    record_document(&app, "2024-06-19", MINUTES_2024_06_19).await;

    let follows = |props: &[(String, String, Value)], target: &str| {
        props
            .iter()
            .any(|(kind, number, _)| kind == "follows_up" && number == target)
    };
    let p37 = proposals_of(&app, "37/23").await;
    assert!(follows(&p37, "31/23"), "{p37:?}");
    assert!(
        p37.iter().all(|(_, number, _)| number != "37/23"),
        "no reference to itself"
    );
    assert_eq!(
        p37.iter().find(|p| p.1 == "31/23").unwrap().2,
        Value::Null,
        "31/23 is not recorded yet"
    );
    assert!(follows(&proposals_of(&app, "36/23").await, "27/23"));
    let p38 = proposals_of(&app, "38/23").await;
    assert!(follows(&p38, "32/23"), "{p38:?}");
    assert!(
        p38.iter()
            .any(|(kind, number, _)| kind == "refers_to" && number == "53/22"),
        "{p38:?}"
    );
    assert!(follows(&proposals_of(&app, "41/23").await, "24/23"));
    assert!(follows(&proposals_of(&app, "20/24").await, "3/24"));

    // Accepted, 37/23 follows up 31/23 by number; recorded later, 31/23 is linked at once.
    let accepted = accept(&app, "37/23", "31/23").await;
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["decided_by"], "Sekretariatet");
    let link = app
        .get(&format!(
            "/api/v1/links/{}",
            accepted["link_id"].as_str().unwrap()
        ))
        .await
        .expect(200);
    assert_eq!(
        (link["kind"].as_str(), link["target"]["case_id"].as_str()),
        (Some("follows_up"), None)
    );
    assert!(
        link["note"].as_str().unwrap().contains("henvisning"),
        "{link}"
    );
    app.meeting("ASU", "2023-09-06").await;
    let case_31 = app
        .post("/api/v1/cases", &json!({"committee": "ASU", "meeting_date": "2023-09-06", "number": "31/23", "title": "Utskrivningsklare pasienter"}))
        .await
        .expect(201);
    let links = app
        .get("/api/v1/committees/ASU/cases/31-23/links")
        .await
        .expect(200);
    assert_eq!(links["incoming"][0]["source"]["number"], "37/23");
    assert_eq!(links["incoming"][0]["target"]["case_id"], case_31["id"]);
    let again = app
        .post(
            &format!("/api/v1/proposals/{}/accept", id(&accepted)),
            &json!({}),
        )
        .await;
    assert!(again.expect_problem(409).contains("accepted already"));
}

async fn a_rejected_proposal_is_not_made_again(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let meeting = app.meeting("ASU", "2024-06-19").await;
    let case = app
        .post("/api/v1/cases", &json!({"meeting_id": meeting["id"], "number": "30/24", "title": "Tilskudd", "narrative": "Det vises for øvrig til sak 23-24."}))
        .await
        .expect(201);
    let list = app
        .get(&format!("/api/v1/proposals?case={}", id(&case)))
        .await
        .expect(200);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(
        (
            list[0]["kind"].as_str(),
            list[0]["target"]["number"].as_str()
        ),
        (Some("refers_to"), Some("23/24"))
    );
    assert_eq!(list[0]["matched_text"], "sak 23-24");
    let rejected = app
        .post(
            &format!("/api/v1/proposals/{}/reject", id(&list[0])),
            &json!({}),
        )
        .await
        .expect(200);
    assert_eq!(rejected["status"], "rejected");
    app.patch(
        &format!("/api/v1/cases/{}", id(&case)),
        &json!({"narrative": "Det vises til vedtak i sak 23/24 og til sak 25/24."}),
    )
    .await
    .expect(200);
    let list = app
        .get(&format!("/api/v1/proposals?case={}", id(&case)))
        .await
        .expect(200);
    let targets: Vec<(&str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["target"]["number"].as_str().unwrap(),
                p["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(targets, [("25/24", "proposed"), ("23/24", "rejected")]);
    assert_eq!(
        app.get("/api/v1/proposals?status=proposed&committee=ASU")
            .await
            .expect(200)
            .as_array()
            .unwrap()
            .len(),
        1
    );
    app.as_(crate::helpers::Who::Reader)
        .post(
            &format!("/api/v1/proposals/{}/accept", id(&list[0])),
            &json!({}),
        )
        .await
        .expect_problem(403);
    app.post("/api/v1/proposals/not-an-id/accept", &json!({}))
        .await
        .expect_problem(400);
}

/// Records a case with one assignment point on a meeting of that date.
async fn case_with_point(app: &TestApp, date: &str, number: &str, title: &str) -> Value {
    if app
        .get(&format!(
            "/api/v1/meetings?committee=ASU&from={date}&to={date}"
        ))
        .await
        .expect(200)["total"]
        == 0
    {
        app.meeting("ASU", date).await;
    }
    let case = app
        .post(
            "/api/v1/cases",
            &json!({"committee": "ASU", "meeting_date": date, "number": number, "title": title}),
        )
        .await
        .expect(201);
    app.decision(&case, "1", "assignment", &["AU"], None).await;
    case
}

async fn link(app: &TestApp, from: &Value, kind: &str, to: &str) -> crate::helpers::TestResponse {
    app.post(
        &format!("/api/v1/cases/{}/links", id(from)),
        &json!({"kind": kind, "target": to}),
    )
    .await
}

async fn the_chain_of_a_matter_runs_both_ways_in_date_order(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let c37 = case_with_point(&app, "2023-10-04", "37/23", "UKP-arbeid").await;
    let c31 = case_with_point(&app, "2023-09-06", "31/23", "Utskrivningsklare pasienter").await;
    let c21 = case_with_point(&app, "2023-06-14", "21/23", "UKP-rapport").await;
    let later = case_with_point(&app, "2024-03-13", "5/24", "UKP – status").await;
    let other = case_with_point(&app, "2023-10-04", "38/23", "Pasienttilstrømning").await;
    link(&app, &c37, "follows_up", "31/23").await.expect(201);
    link(&app, &c31, "follows_up", "21/23").await.expect(201);
    link(&app, &later, "postponed_to", "37/23")
        .await
        .expect(201);
    link(&app, &other, "refers_to", "31/23").await.expect(201);
    for start in ["31-23", "21-23", "5-24"] {
        let chain = app
            .get(&format!("/api/v1/committees/ASU/cases/{start}/chain"))
            .await
            .expect(200);
        let numbers: Vec<&str> = chain["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["number"].as_str().unwrap())
            .collect();
        assert_eq!(
            numbers,
            ["21/23", "31/23", "37/23", "5/24"],
            "from {start}; refers_to is not part of a chain"
        );
        assert_eq!(chain["links"].as_array().unwrap().len(), 3);
        let first = &chain["cases"][0];
        assert_eq!(first["meeting"]["date"], "2023-06-14");
        assert_eq!(first["decisions"][0]["status"], "open");
    }
    assert_eq!(
        chain_ids(&app, "38-23").await,
        [id(&other)],
        "a case without chain links is a chain of one"
    );
    let _ = (c21, c31);
    app.get("/api/v1/committees/ASU/cases/99-23/chain")
        .await
        .expect_problem(404);
}

async fn chain_ids(app: &TestApp, number: &str) -> Vec<String> {
    let chain = app
        .get(&format!("/api/v1/committees/ASU/cases/{number}/chain"))
        .await
        .expect(200);
    chain["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_link_that_would_make_a_cycle_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let a = case_with_point(&app, "2023-09-06", "31/23", "A").await;
    let b = case_with_point(&app, "2023-10-04", "37/23", "B").await;
    let c = case_with_point(&app, "2023-11-01", "45/23", "C").await;
    link(&app, &b, "follows_up", "31/23").await.expect(201);
    link(&app, &c, "follows_up", "37/23").await.expect(201);
    let detail = link(&app, &a, "follows_up", "45/23")
        .await
        .expect_problem(409);
    assert!(detail.contains("cycle"), "{detail}");
    link(&app, &a, "postponed_to", "37/23")
        .await
        .expect_problem(409);
    // A reference back is no cycle of the chain.
    link(&app, &a, "refers_to", "45/23").await.expect(201);
}

async fn chain_queries(app: &TestApp, number: &str) -> (usize, usize) {
    let number: CaseNumber = number.parse().unwrap();
    let code: CommitteeCode = "ASU".parse().unwrap();
    let (chain, queries) = app
        .count_queries(move |conn| chains::of_case(conn, &code, number, Visibility::All))
        .await;
    (chain.cases.len(), queries)
}

async fn a_chain_of_fifty_cases_takes_as_many_queries_as_a_chain_of_two(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    case_with_point(&app, "2024-01-10", "1/24", "Sak 1").await;
    let second = case_with_point(&app, "2024-01-10", "2/24", "Sak 2").await;
    link(&app, &second, "follows_up", "1/24").await.expect(201);
    let (two, queries_for_two) = chain_queries(&app, "1/24").await;
    assert_eq!(two, 2);
    let mut previous = second;
    for n in 3..=50 {
        let case =
            case_with_point(&app, "2024-01-10", &format!("{n}/24"), &format!("Sak {n}")).await;
        let kind = if n % 5 == 0 {
            "postponed_to"
        } else {
            "follows_up"
        };
        link(&app, &case, kind, previous["number"].as_str().unwrap())
            .await
            .expect(201);
        previous = case;
    }
    let (fifty, queries_for_fifty) = chain_queries(&app, "1/24").await;
    assert_eq!(fifty, 50);
    assert_eq!(queries_for_two, queries_for_fifty, "no query per case");
}

async fn a_postponed_case_stays_open_until_the_case_it_went_to_is_decided(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    app.meeting("ASU", "2024-03-13").await;
    let postponed = app
        .post(
            "/api/v1/cases",
            &json!({"committee": "ASU", "meeting_date": "2024-03-13", "number": "15/24", "status": "postponed",
                    "title": "Prosjekt fra Topplederprogrammet: felles trainee-ordning"}),
        )
        .await
        .expect(201);
    let point = app
        .post(
            "/api/v1/decisions",
            &json!({"case_id": postponed["id"], "position": "1", "kind": "postponement",
                    "text": "Saken utsettes til ASU-møte 19.06.24."}),
        )
        .await
        .expect(201);
    let proposals = app
        .get(&format!("/api/v1/proposals?case={}", id(&postponed)))
        .await
        .expect(200);
    assert_eq!(proposals.as_array().unwrap().len(), 1, "{proposals}");
    let proposal = proposals[0].clone();
    assert_eq!(
        (
            proposal["kind"].as_str(),
            proposal["target"]["meeting_date"].as_str()
        ),
        (Some("postponed_to"), Some("2024-06-19"))
    );
    // No case of that meeting is recorded yet: nothing to link to.
    app.post(
        &format!("/api/v1/proposals/{}/accept", id(&proposal)),
        &json!({}),
    )
    .await
    .expect_problem(409);
    let june = record_document(&app, "2024-06-19", MINUTES_2024_06_19).await;
    let case_19 = june.iter().find(|c| c["number"] == "19/24").unwrap();
    let proposals = app
        .get(&format!("/api/v1/proposals?case={}", id(&postponed)))
        .await
        .expect(200);
    assert_eq!(
        proposals[0]["target"]["case_number"], "19/24",
        "the case of that meeting most like it: {proposals}"
    );
    app.post(
        &format!("/api/v1/proposals/{}/accept", id(&proposal)),
        &json!({}),
    )
    .await
    .expect(200);

    let open = app
        .get("/api/v1/decisions?status=open&kind=postponement")
        .await
        .expect(200);
    assert_eq!(open["total"], 1);
    let case = app
        .get(&format!("/api/v1/cases/{}", id(&postponed)))
        .await
        .expect(200);
    assert_eq!(
        case["postponed_to"],
        json!({"committee": "ASU", "number": "19/24", "case_id": case_19["id"], "taken_up": false})
    );

    app.patch(
        &format!("/api/v1/cases/{}", id(case_19)),
        &json!({"status": "decided"}),
    )
    .await
    .expect(200);
    let closed = app
        .get(&format!("/api/v1/decisions/{}", id(&point)))
        .await
        .expect(200);
    assert_eq!(closed["status"], "done");
    assert_eq!(closed["status_evidence"]["case"], "19/24");
    assert_eq!(
        app.get("/api/v1/decisions?status=open&kind=postponement")
            .await
            .expect(200)["total"],
        0
    );
    let case = app
        .get(&format!("/api/v1/cases/{}", id(&postponed)))
        .await
        .expect(200);
    assert_eq!(case["postponed_to"]["taken_up"], true);
    let history = app
        .get(&format!("/api/v1/decisions/{}/history", id(&point)))
        .await
        .expect(200);
    assert_eq!(
        history.as_array().unwrap().last().unwrap()["changes"]["status"]["to"],
        "done"
    );
}
