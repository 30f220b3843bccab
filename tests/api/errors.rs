//! Bad input gets a problem+json 4xx that names what was wrong, never a 500, and nothing is
//! half-written.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::json;
use vedtakslogg::config::Backend;

use crate::helpers::{TestApp, Who};

crate::on_both_backends!(
    invalid_case_number_is_refused_in_body_and_path,
    impossible_dates_are_refused,
    unknown_enum_values_are_refused,
    malformed_json_missing_fields_and_unknown_fields_are_refused,
    a_body_over_one_mebibyte_is_refused,
    a_body_that_is_not_json_is_refused,
    unknown_and_malformed_ids_are_refused,
    bad_query_parameters_are_refused,
    a_refused_decision_point_leaves_nothing_behind,
    unknown_routes_answer_problem_json,
    records_named_by_natural_keys_must_be_named_once_and_exist,
    control_characters_and_oversized_names_are_refused,
    a_failed_transaction_writes_nothing,
);

async fn control_characters_and_oversized_names_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let detail = app
        .post(
            "/api/v1/committees",
            &json!({"code": "ASU", "name": "Administrativt\u{0}samarbeidsutvalg"}),
        )
        .await
        .expect_problem(422);
    assert!(
        detail.starts_with("name: text must not contain control characters"),
        "{detail}"
    );
    app.get("/api/v1/owners/AU%00").await.expect_problem(400);
    app.get("/api/v1/decisions?q=a%00b")
        .await
        .expect_problem(400);
    app.get("/api/v1/committees/A%07SU")
        .await
        .expect_problem(400);
    let detail = app
        .post(
            "/api/v1/owners",
            &json!({"name": "x".repeat(201), "kind": "person"}),
        )
        .await
        .expect_problem(422);
    assert!(detail.contains("at most 200 characters"), "{detail}");
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let detail = app
        .post(
            "/api/v1/meetings",
            &json!({"committee": "ASU", "date": "24-06-19"}),
        )
        .await
        .expect_problem(422);
    assert!(
        detail.starts_with("date: invalid date '24-06-19'"),
        "{detail}"
    );
    let detail = app
        .post(
            "/api/v1/meetings",
            &json!({"committee": "ASU", "date": "+12345-06-07"}),
        )
        .await
        .expect_problem(422);
    assert!(detail.contains("invalid date"), "{detail}");
    // Line breaks and tabs are text, not control characters to refuse.
    app.post(
        "/api/v1/meetings",
        &json!({"committee": "ASU", "date": "2024-06-19", "location": "Rom 1\n\tTeams"}),
    )
    .await
    .expect(201);
}

async fn a_failed_transaction_writes_nothing(backend: Backend) {
    use diesel::prelude::*;
    use vedtakslogg::store::schema::committees;
    use vedtakslogg::store::{StoreError, write_transaction};
    let app = TestApp::spawn(backend).await;
    let result = app
        .store
        .run(|conn| {
            write_transaction(conn, |conn| {
                diesel::insert_into(committees::table)
                    .values((
                        committees::id.eq("6a8c51b0-1a3b-4c8e-9f50-2b7f3c9d1e20"),
                        committees::code.eq("ASU"),
                        committees::name.eq("Halvveis"),
                        committees::created_at.eq(chrono::Utc::now().naive_utc()),
                        committees::updated_at.eq(chrono::Utc::now().naive_utc()),
                    ))
                    .execute(conn)?;
                Err::<(), _>(StoreError::Invalid("a later step failed".into()))
            })
        })
        .await;
    assert!(matches!(result, Err(StoreError::Invalid(_))));
    assert_eq!(
        app.get("/api/v1/committees").await.expect(200),
        json!([]),
        "the first step was rolled back"
    );
}

async fn asu_case(app: &TestApp) -> serde_json::Value {
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let meeting = app.meeting("ASU", "2024-06-19").await;
    app.case(&meeting, "24/24", "Status Handlingsplan").await
}

async fn invalid_case_number_is_refused_in_body_and_path(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let meeting = app.meeting("ASU", "2024-06-19").await;
    let detail = app
        .post(
            "/api/v1/cases",
            &json!({"meeting_id": meeting["id"], "number": "37/2x", "title": "Sak"}),
        )
        .await
        .expect_problem(422);
    assert_eq!(
        detail,
        "number: invalid case number '37/2x': expected NN/YY such as 37/23 or 09/24"
    );
    let detail = app
        .get("/api/v1/committees/ASU/cases/37-2x")
        .await
        .expect_problem(400);
    assert!(detail.contains("invalid case number '37-2x'"), "{detail}");
    let detail = app
        .get("/api/v1/committees/A%20SU/cases/37-23")
        .await
        .expect_problem(400);
    assert!(detail.contains("invalid committee code"), "{detail}");
    assert_eq!(
        app.get("/api/v1/cases").await.expect(200)["total"],
        0,
        "nothing was written"
    );
}

async fn impossible_dates_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let detail = app
        .post(
            "/api/v1/meetings",
            &json!({"committee": "ASU", "date": "2024-02-31"}),
        )
        .await
        .expect_problem(422);
    assert!(detail.starts_with("date: "), "{detail}");
    assert!(detail.contains("YYYY-MM-DD"), "{detail}");
    let detail = app
        .post(
            "/api/v1/meetings",
            &json!({"committee": "ASU", "date": "19.06.2024"}),
        )
        .await
        .expect_problem(422);
    assert!(detail.starts_with("date: "), "{detail}");
    let detail = app
        .post(
            "/api/v1/meetings",
            &json!({"committee": "ASU", "date": "2024-06-19", "start_time": "25:00"}),
        )
        .await
        .expect_problem(422);
    assert!(
        detail.starts_with("start_time: invalid time '25:00'"),
        "{detail}"
    );
    let detail = app
        .post("/api/v1/meetings", &json!({"committee": "ASU", "date": "2024-06-19", "start_time": "17:00", "end_time": "13:00"}))
        .await
        .expect_problem(422);
    assert_eq!(detail, "end_time 13:00 is before start_time 17:00");
    let detail = app
        .get("/api/v1/decisions?due_before=2024-02-31")
        .await
        .expect_problem(400);
    assert!(
        detail.contains("due_before") || detail.contains("input is out of range"),
        "{detail}"
    );
    assert_eq!(app.get("/api/v1/meetings").await.expect(200)["total"], 0);
}

async fn unknown_enum_values_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let case = asu_case(&app).await;
    let detail = app
        .post(
            "/api/v1/decisions",
            &json!({"case_id": case["id"], "position": "1", "text": "x", "kind": "decree"}),
        )
        .await
        .expect_problem(422);
    assert!(
        detail.starts_with("kind: unknown variant `decree`"),
        "{detail}"
    );
    let point = app.decision(&case, "1", "assignment", &[], None).await;
    let uri = format!("/api/v1/decisions/{}", point["id"].as_str().unwrap());
    let detail = app
        .patch(&uri, &json!({"status": "finished"}))
        .await
        .expect_problem(422);
    assert!(
        detail.starts_with("status: unknown variant `finished`"),
        "{detail}"
    );
    let detail = app
        .get("/api/v1/decisions?status=open,finished")
        .await
        .expect_problem(400);
    assert!(
        detail.contains("unknown decision status 'finished'"),
        "{detail}"
    );
    assert_eq!(
        app.get(&uri).await.expect(200)["status"],
        "open",
        "the point is unchanged"
    );
}

async fn malformed_json_missing_fields_and_unknown_fields_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let detail = app
        .send_raw(
            Method::POST,
            "/api/v1/committees",
            "application/json",
            r#"{"code": "ASU", "name": "#,
        )
        .await
        .expect_problem(400);
    assert!(detail.starts_with("the body is not valid JSON"), "{detail}");
    let detail = app
        .send_raw(Method::POST, "/api/v1/committees", "application/json", "")
        .await
        .expect_problem(400);
    assert!(detail.contains("empty"), "{detail}");
    let detail = app
        .send_raw(
            Method::POST,
            "/api/v1/committees",
            "application/json",
            r#"{"code": "ASU", "name": "x"} trailing"#,
        )
        .await
        .expect_problem(400);
    assert!(detail.starts_with("the body is not valid JSON"), "{detail}");
    let detail = app
        .post("/api/v1/committees", &json!({"code": "ASU"}))
        .await
        .expect_problem(422);
    assert!(detail.contains("missing field `name`"), "{detail}");
    let detail = app
        .post("/api/v1/committees", &json!({"code": "ASU", "name": "  "}))
        .await
        .expect_problem(422);
    assert_eq!(detail, "name: must not be empty");
    let detail = app
        .post(
            "/api/v1/committees",
            &json!({"code": "ASU", "name": "x", "nmae": "y"}),
        )
        .await
        .expect_problem(422);
    assert!(detail.contains("unknown field `nmae`"), "{detail}");
    let detail = app
        .post("/api/v1/committees", &json!(["ASU"]))
        .await
        .expect_problem(422);
    assert!(detail.contains("expected struct NewCommittee"), "{detail}");
    assert_eq!(app.get("/api/v1/committees").await.expect(200), json!([]));
}

async fn a_body_over_one_mebibyte_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let name = "x".repeat(1024 * 1024);
    let detail = app
        .post("/api/v1/committees", &json!({"code": "ASU", "name": name}))
        .await
        .expect_problem(413);
    assert!(detail.contains("1 MiB"), "{detail}");
    assert_eq!(app.get("/api/v1/committees").await.expect(200), json!([]));
}

async fn a_body_that_is_not_json_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let detail = app
        .send_raw(
            Method::POST,
            "/api/v1/committees",
            "application/x-www-form-urlencoded",
            "code=ASU&name=x",
        )
        .await
        .expect_problem(415);
    assert!(detail.contains("application/json"), "{detail}");
    // A JSON media type with parameters or a +json suffix is JSON.
    app.send_raw(
        Method::POST,
        "/api/v1/committees",
        "application/json; charset=utf-8",
        r#"{"code":"ASU","name":"x"}"#,
    )
    .await
    .expect(201);
    app.send_raw(
        Method::POST,
        "/api/v1/committees",
        "application/merge-patch+json",
        r#"{"code":"AU","name":"x"}"#,
    )
    .await
    .expect(201);
}

async fn unknown_and_malformed_ids_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let unknown = "7b3c3bd5-5e8e-4a58-9a64-1a0b8f9c2d11";
    for resource in ["meetings", "cases", "decisions", "links"] {
        let detail = app
            .get(&format!("/api/v1/{resource}/{unknown}"))
            .await
            .expect_problem(404);
        assert!(detail.contains(unknown), "{detail}");
        let detail = app
            .get(&format!("/api/v1/{resource}/not-a-uuid"))
            .await
            .expect_problem(400);
        assert!(detail.contains("expected a UUID"), "{detail}");
        app.patch(&format!("/api/v1/{resource}/{unknown}"), &json!({}))
            .await;
        app.delete(&format!("/api/v1/{resource}/{unknown}"))
            .await
            .expect_problem(404);
    }
    app.patch(
        &format!("/api/v1/decisions/{unknown}"),
        &json!({"status": "done"}),
    )
    .await
    .expect_problem(404);
    app.get("/api/v1/committees/XYZ").await.expect_problem(404);
    app.get("/api/v1/owners/nobody-at-all")
        .await
        .expect_problem(404);
    app.get("/api/v1/committees/ASU/cases/37-23")
        .await
        .expect_problem(404);
    // A body naming a record that does not exist is wrong input, not a missing resource.
    let detail = app
        .post(
            "/api/v1/cases",
            &json!({"meeting_id": unknown, "number": "1/24", "title": "x"}),
        )
        .await
        .expect_problem(422);
    assert!(detail.starts_with("meeting_id: no meeting"), "{detail}");
}

async fn records_named_by_natural_keys_must_be_named_once_and_exist(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let case = asu_case(&app).await;
    for (body, expected) in [
        (
            json!({"number": "1/24", "title": "x"}),
            "name the meeting by meeting_id, or by committee and meeting_date",
        ),
        (
            json!({"committee": "ASU", "number": "1/24", "title": "x"}),
            "name the meeting",
        ),
        (
            json!({"meeting_id": case["meeting"]["id"], "committee": "ASU", "meeting_date": "2024-06-19", "number": "1/24", "title": "x"}),
            "name the meeting",
        ),
        (
            json!({"committee": "ASU", "meeting_date": "2024-06-20", "number": "1/24", "title": "x"}),
            "meeting_date: ASU has no meeting on 2024-06-20",
        ),
        (
            json!({"committee": "XYZ", "meeting_date": "2024-06-19", "number": "1/24", "title": "x"}),
            "meeting_date: XYZ has no meeting on 2024-06-19",
        ),
    ] {
        let detail = app.post("/api/v1/cases", &body).await.expect_problem(422);
        assert!(detail.contains(expected), "{body}: {detail}");
    }
    for (body, expected) in [
        (
            json!({"position": "1", "text": "x", "kind": "other"}),
            "name the case by case_id, or by committee and case_number",
        ),
        (
            json!({"case_id": case["id"], "committee": "ASU", "case_number": "24/24", "position": "1", "text": "x", "kind": "other"}),
            "name the case",
        ),
        (
            json!({"committee": "ASU", "case_number": "25/24", "position": "1", "text": "x", "kind": "other"}),
            "case_number: ASU has no case 25/24",
        ),
        (
            json!({"committee": "XYZ", "case_number": "24/24", "position": "1", "text": "x", "kind": "other"}),
            "committee: unknown committee 'XYZ'",
        ),
    ] {
        let detail = app
            .post("/api/v1/decisions", &body)
            .await
            .expect_problem(422);
        assert!(detail.contains(expected), "{body}: {detail}");
    }
    assert_eq!(app.get("/api/v1/cases").await.expect(200)["total"], 1);
    assert_eq!(app.get("/api/v1/decisions").await.expect(200)["total"], 0);
    let by_number = app
        .post("/api/v1/decisions", &json!({"committee": "asu", "case_number": "024/24", "position": "1", "text": "x", "kind": "other"}))
        .await
        .expect(201);
    assert_eq!(by_number["case"]["id"], case["id"]);
}

async fn bad_query_parameters_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for (query, expected) in [
        ("limit=0", "limit must be at least 1"),
        ("limit=1000", "limit must be at most 200"),
        ("limit=-1", "limit"),
        ("cursor=garbage", "cursor"),
        ("stauts=open", "unknown field `stauts`"),
        ("overdue=perhaps", "overdue"),
        ("sort=title", "sort"),
        ("committee=A%20SU", "invalid committee code"),
        ("case=123", "expected a UUID"),
    ] {
        let detail = app
            .get(&format!("/api/v1/decisions?{query}"))
            .await
            .expect_problem(400);
        assert!(detail.contains(expected), "{query}: {detail}");
    }
    let detail = app
        .get("/api/v1/decisions?owner=Ingen%20slik")
        .await
        .expect_problem(422);
    assert!(
        detail.contains("no owner is known as 'Ingen slik'"),
        "{detail}"
    );
    app.get("/api/v1/meetings?from=2024-13-01")
        .await
        .expect_problem(400);
    app.get("/api/v1/cases?year=tjuefire")
        .await
        .expect_problem(400);
}

async fn a_refused_decision_point_leaves_nothing_behind(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let case = asu_case(&app).await;
    let detail = app
        .post(
            "/api/v1/decisions",
            &json!({"case_id": case["id"], "position": "2", "text": "ASU ber kommunene og sykehuset ...",
                    "kind": "recommendation", "owners": [{"owner": "Kommunene"}, {"owner": "Sykehusene i Midt-Norge"}]}),
        )
        .await
        .expect_problem(422);
    assert!(
        detail.contains("unknown owner 'Sykehusene i Midt-Norge'"),
        "{detail}"
    );
    let detail = app
        .post(
            "/api/v1/decisions",
            &json!({"case_id": case["id"], "position": "2", "text": "x", "kind": "assignment",
                    "owners": [{"owner": "AU", "responsible": true}, {"owner": "Sekretariatet", "responsible": true}]}),
        )
        .await
        .expect_problem(422);
    assert!(detail.contains("at most one owner"), "{detail}");
    let detail = app
        .post(
            "/api/v1/decisions",
            &json!({"case_id": case["id"], "position": "2", "text": "x", "kind": "assignment",
                    "owners": [{"owner": "Analysegruppen"}, {"owner": "analysegruppa"}]}),
        )
        .await
        .expect_problem(422);
    assert!(detail.contains("already in the list"), "{detail}");
    let detail = app
        .post(
            "/api/v1/decisions",
            &json!({"case_id": case["id"], "position": "1", "text": "ASU tar saken til orientering.", "kind": "orientation", "status": "open"}),
        )
        .await
        .expect_problem(422);
    assert!(detail.contains("needs no follow-up"), "{detail}");
    assert_eq!(app.get("/api/v1/decisions").await.expect(200)["total"], 0);

    // A failed change leaves the point as it was, owners included.
    let point = app
        .decision(
            &case,
            "2",
            "assignment",
            &["Sekretariatet"],
            Some("2024-08-30"),
        )
        .await;
    let uri = format!("/api/v1/decisions/{}", point["id"].as_str().unwrap());
    app.patch(
        &uri,
        &json!({"text": "Ny tekst", "owners": [{"owner": "AU"}, {"owner": "Ukjent"}]}),
    )
    .await
    .expect_problem(422);
    let after = app.get(&uri).await.expect(200);
    assert_eq!(after["text"], point["text"]);
    assert_eq!(after["owners"], point["owners"]);
    assert_eq!(after["updated_at"], point["updated_at"]);
}

async fn unknown_routes_answer_problem_json(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let detail = app.get("/api/v1/vedtak").await.expect_problem(404);
    assert!(detail.contains("/api/v1/vedtak"), "{detail}");
    app.get("/api/nothing/here").await.expect_problem(404);
    // Outside /api a browser gets a page of its own; any other client a problem.
    app.get("/nothing/here").await.expect_problem(404);
    let page = app
        .as_(Who::Anonymous)
        .send(
            TestRequest::get()
                .uri("/nothing/here")
                .insert_header(("accept", "text/html,application/xhtml+xml")),
        )
        .await;
    assert_eq!(page.status, 404);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
}
