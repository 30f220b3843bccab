//! Committees, meetings, cases and owners: recording, changing, listing and deleting.

use serde_json::{Value, json};
use vedtakslogg::config::Backend;

use crate::helpers::{TestApp, ids};

crate::on_both_backends!(
    committees_are_recorded_renamed_and_deleted_when_unused,
    a_committee_meets_once_on_a_date,
    meetings_are_listed_by_date_and_changed_field_by_field,
    case_numbers_are_unique_per_committee_and_year_with_or_without_leading_zero,
    cases_move_only_within_their_committee,
    records_in_use_cannot_be_deleted,
    owners_resolve_by_any_spelling,
    owners_are_registered_renamed_and_guarded,
);

fn id(value: &Value) -> &str {
    value["id"].as_str().unwrap()
}

async fn committees_are_recorded_renamed_and_deleted_when_unused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let created = app
        .post("/api/v1/committees", &json!({"code": "au", "name": "AU"}))
        .await;
    assert_eq!(created.header("location"), Some("/api/v1/committees/AU"));
    assert_eq!(created.expect(201)["code"], "AU");
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let renamed = app
        .patch("/api/v1/committees/au", &json!({"name": "Arbeidsutvalget"}))
        .await
        .expect(200);
    assert_eq!(renamed["name"], "Arbeidsutvalget");
    let codes: Vec<Value> = app
        .get("/api/v1/committees")
        .await
        .expect(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].clone())
        .collect();
    assert_eq!(codes, [json!("ASU"), json!("AU")]);
    app.patch("/api/v1/committees/au", &json!({"code": "XX"}))
        .await
        .expect_problem(422);
    assert_eq!(app.delete("/api/v1/committees/AU").await.status, 204);
    app.get("/api/v1/committees/AU").await.expect_problem(404);
}

async fn a_committee_meets_once_on_a_date(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    app.committee("AU", "Arbeidsutvalget").await;
    let first = app.meeting("ASU", "2024-06-19").await;
    let detail = app
        .post(
            "/api/v1/meetings",
            &json!({"committee": "asu", "date": "2024-06-19"}),
        )
        .await
        .expect_problem(409);
    assert!(
        detail.contains("already has a meeting on 2024-06-19"),
        "{detail}"
    );
    app.meeting("AU", "2024-06-19").await;
    let other = app.meeting("ASU", "2024-08-30").await;
    app.patch(
        &format!("/api/v1/meetings/{}", id(&other)),
        &json!({"date": "2024-06-19"}),
    )
    .await
    .expect_problem(409);
    let detail = app
        .post(
            "/api/v1/meetings",
            &json!({"committee": "XYZ", "date": "2024-06-19"}),
        )
        .await
        .expect_problem(422);
    assert_eq!(detail, "unknown committee 'XYZ'");
    assert_eq!(
        app.get(&format!("/api/v1/meetings/{}", id(&first)))
            .await
            .expect(200)["kind"],
        "ordinary"
    );
}

async fn meetings_are_listed_by_date_and_changed_field_by_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    app.committee("AU", "Arbeidsutvalget").await;
    let august = app
        .post(
            "/api/v1/meetings",
            &json!({"committee": "ASU", "date": "2024-08-30", "kind": "extraordinary", "start_time": "09.00",
                    "end_time": "12:00", "location": "Teams", "chair": "Ingjerd Astad"}),
        )
        .await
        .expect(201);
    assert_eq!(
        (august["start_time"].as_str(), august["end_time"].as_str()),
        (Some("09:00"), Some("12:00"))
    );
    let october = app.meeting("ASU", "2023-10-04").await;
    let june = app.meeting("ASU", "2024-06-19").await;
    let au = app.meeting("AU", "2024-06-01").await;
    assert_eq!(
        app.list_ids("/api/v1/meetings?committee=ASU").await,
        [id(&october), id(&june), id(&august)]
    );
    assert_eq!(
        app.list_ids("/api/v1/meetings?from=2024-01-01&to=2024-06-30")
            .await,
        [id(&au), id(&june)]
    );
    assert_eq!(
        app.list_ids("/api/v1/meetings?status=held").await,
        Vec::<String>::new()
    );
    let page = app.get("/api/v1/meetings?limit=2").await.expect(200);
    assert_eq!(
        (page["total"].as_i64(), ids(&page["items"]).len()),
        (Some(4), 2)
    );

    let uri = format!("/api/v1/meetings/{}", id(&august));
    let changed = app
        .patch(
            &uri,
            &json!({"location": null, "status": "held", "minute_taker": "Runar Asp"}),
        )
        .await
        .expect(200);
    assert_eq!(changed["location"], Value::Null);
    assert_eq!(changed["status"], "held");
    assert_eq!(changed["chair"], "Ingjerd Astad", "left out, left alone");
    assert_eq!(changed["kind"], "extraordinary");
    let detail = app
        .patch(&uri, &json!({"end_time": "08:00"}))
        .await
        .expect_problem(422);
    assert!(detail.contains("before start_time"), "{detail}");
    assert_eq!(
        app.list_ids("/api/v1/meetings?status=held").await,
        [id(&august)]
    );
}

async fn case_numbers_are_unique_per_committee_and_year_with_or_without_leading_zero(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    app.committee("AU", "Arbeidsutvalget").await;
    let march = app.meeting("ASU", "2024-03-13").await;
    let june = app.meeting("ASU", "2024-06-19").await;
    let case = app
        .post("/api/v1/cases", &json!({"meeting_id": march["id"], "number": "09/24", "title": "Handlingsplan", "responsible": [" Runar Asp ", ""]}))
        .await;
    assert!(
        case.header("location")
            .is_some_and(|l| l.starts_with("/api/v1/cases/"))
    );
    let case = case.expect(201);
    assert_eq!(case["number"], "9/24");
    assert_eq!(case["responsible"], json!(["Runar Asp"]));
    assert_eq!(case["status"], "planned");
    let detail = app
        .post(
            "/api/v1/cases",
            &json!({"meeting_id": june["id"], "number": "9/24", "title": "Annet"}),
        )
        .await
        .expect_problem(409);
    assert!(detail.contains("ASU already has a case 9/24"), "{detail}");
    // The same serial in another year, or in another committee, is another case.
    app.case(&june, "9/23", "Fjorårets sak").await;
    let au = app.meeting("AU", "2024-03-01").await;
    app.case(&au, "9/24", "AU-sak").await;
    for path in ["9-24", "09-24", "9-2024", "09%2F24"] {
        let found = app
            .get(&format!("/api/v1/committees/ASU/cases/{path}"))
            .await
            .expect(200);
        assert_eq!(found["id"], case["id"], "{path}");
    }
    assert_eq!(
        app.list_ids("/api/v1/cases?committee=ASU&year=2024").await,
        [id(&case)]
    );
    assert_eq!(
        app.list_ids(&format!("/api/v1/cases?meeting={}", id(&au)))
            .await
            .len(),
        1
    );
    // Renumbering checks the new number.
    let uri = format!("/api/v1/cases/{}", id(&case));
    app.patch(&uri, &json!({"number": "9/23"}))
        .await
        .expect_problem(409);
    assert_eq!(
        app.patch(&uri, &json!({"number": "10/24", "status": "decided"}))
            .await
            .expect(200)["number"],
        "10/24"
    );
}

async fn cases_move_only_within_their_committee(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    app.committee("AU", "Arbeidsutvalget").await;
    let march = app.meeting("ASU", "2024-03-13").await;
    let june = app.meeting("ASU", "2024-06-19").await;
    let au = app.meeting("AU", "2024-04-01").await;
    let case = app.case(&march, "15/24", "Innovasjon").await;
    let uri = format!("/api/v1/cases/{}", id(&case));
    let moved = app
        .patch(
            &uri,
            &json!({"meeting_id": june["id"], "status": "postponed"}),
        )
        .await
        .expect(200);
    assert_eq!(moved["meeting"]["date"], "2024-06-19");
    assert_eq!(moved["status"], "postponed");
    let detail = app
        .patch(&uri, &json!({"meeting_id": au["id"]}))
        .await
        .expect_problem(422);
    assert!(detail.contains("cannot change committee"), "{detail}");
    assert_eq!(
        app.get(&format!("/api/v1/meetings/{}", id(&june)))
            .await
            .expect(200)["case_count"],
        1
    );
    assert_eq!(
        app.get(&format!("/api/v1/meetings/{}", id(&march)))
            .await
            .expect(200)["case_count"],
        0
    );
}

async fn records_in_use_cannot_be_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let meeting = app.meeting("ASU", "2024-06-19").await;
    let case = app.case(&meeting, "24/24", "Status Handlingsplan").await;
    let point = app
        .decision(&case, "1", "assignment", &["Sekretariatet"], None)
        .await;
    let detail = app
        .delete("/api/v1/committees/ASU")
        .await
        .expect_problem(409);
    assert!(detail.contains("1 meeting(s)"), "{detail}");
    let detail = app
        .delete(&format!("/api/v1/meetings/{}", id(&meeting)))
        .await
        .expect_problem(409);
    assert!(detail.contains("1 case(s)"), "{detail}");
    let detail = app
        .delete(&format!("/api/v1/cases/{}", id(&case)))
        .await
        .expect_problem(409);
    assert!(detail.contains("1 decision point(s)"), "{detail}");
    let detail = app
        .delete("/api/v1/owners/sekretariatet")
        .await
        .expect_problem(409);
    assert!(detail.contains("owns 1 decision point(s)"), "{detail}");
    // Bottom up, everything can go.
    for uri in [
        format!("/api/v1/decisions/{}", id(&point)),
        format!("/api/v1/cases/{}", id(&case)),
        format!("/api/v1/meetings/{}", id(&meeting)),
        "/api/v1/committees/ASU".to_owned(),
    ] {
        assert_eq!(app.delete(&uri).await.status, 204, "{uri}");
    }
}

async fn owners_resolve_by_any_spelling(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for spelling in [
        "Analysegruppa",
        "analysegruppen",
        " ANALYSEGRUPPEN. ",
        "Analysegruppe",
    ] {
        let owner = app
            .get(&format!("/api/v1/owners/{}", spelling.replace(' ', "%20")))
            .await
            .expect(200);
        assert_eq!(owner["name"], "Analysegruppen", "{spelling}");
    }
    let hospital = app.get("/api/v1/owners/sykehuset").await.expect(200);
    assert_eq!(hospital["name"], "St. Olavs hospital");
    assert_eq!(hospital["kind"], "party");
    let by_id = app
        .get(&format!("/api/v1/owners/{}", id(&hospital)))
        .await
        .expect(200);
    assert_eq!(by_id["name"], "St. Olavs hospital");
    let all = app.get("/api/v1/owners").await.expect(200);
    let names: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    for expected in [
        "ASU",
        "AU",
        "Sekretariatet",
        "Forhandlingsutvalget",
        "Fagråd 1",
        "Fagråd 5",
        "Kommunene",
    ] {
        assert!(names.contains(&expected), "{expected} is in the registry");
    }
}

async fn owners_are_registered_renamed_and_guarded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let created = app
        .post("/api/v1/owners", &json!({"name": "Kvalitetsgruppen", "kind": "body", "aliases": ["Kvalitetsgruppa", "kvalitetsgruppen"]}))
        .await
        .expect(201);
    assert_eq!(
        created["aliases"],
        json!(["Kvalitetsgruppa"]),
        "the name itself is not listed as an alias"
    );
    let detail = app
        .post(
            "/api/v1/owners",
            &json!({"name": "Analysegruppa", "kind": "body"}),
        )
        .await
        .expect_problem(409);
    assert!(
        detail.contains("already a name or alias of the owner Analysegruppen"),
        "{detail}"
    );
    let detail = app
        .patch(
            "/api/v1/owners/Kvalitetsgruppen",
            &json!({"aliases": ["AU"]}),
        )
        .await
        .expect_problem(409);
    assert!(detail.contains("of the owner AU"), "{detail}");
    let person = app
        .post(
            "/api/v1/owners",
            &json!({"name": "Runar Asp", "kind": "person"}),
        )
        .await
        .expect(201);
    // A rename reaches the points the owner owns, in search too.
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let meeting = app.meeting("ASU", "2024-06-19").await;
    let case = app.case(&meeting, "23/24", "Orientering om tilskudd").await;
    let point = app
        .decision(&case, "1", "assignment", &["runar asp"], None)
        .await;
    let renamed = app
        .patch(
            &format!("/api/v1/owners/{}", id(&person)),
            &json!({"name": "Runar Asp (sekretariatet)", "aliases": ["Runar Asp"]}),
        )
        .await
        .expect(200);
    assert_eq!(renamed["aliases"], json!(["Runar Asp"]));
    let point = app
        .get(&format!("/api/v1/decisions/{}", id(&point)))
        .await
        .expect(200);
    assert_eq!(point["owners"][0]["name"], "Runar Asp (sekretariatet)");
    assert_eq!(
        app.list_ids("/api/v1/decisions?q=runar%20asp%20(sekretariatet)")
            .await,
        [id(&point)]
    );
    assert_eq!(
        app.list_ids("/api/v1/decisions?owner=runar%20asp").await,
        [id(&point)]
    );
    app.post("/api/v1/owners", &json!({"name": "X", "kind": "robot"}))
        .await
        .expect_problem(422);
    app.post("/api/v1/owners", &json!({"name": "...", "kind": "body"}))
        .await
        .expect_problem(422);
}
