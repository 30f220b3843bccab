//! Access control with API tokens: readers read, editors write, admins manage tokens.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use diesel::prelude::*;
use serde_json::{Value, json};
use vedtakslogg::api::auth::AccessSettings;
use vedtakslogg::config::Backend;
use vedtakslogg::store::schema::api_tokens;

use crate::helpers::{TestApp, Who};

crate::on_both_backends!(
    without_a_token_the_api_answers_401,
    a_reader_gets_403_on_every_write_endpoint,
    a_revoked_or_unknown_token_gets_401,
    admins_create_list_and_revoke_tokens,
    the_database_holds_no_token_in_clear_text,
    public_reading_shows_only_what_is_public,
    operations_and_docs_need_no_token,
);

async fn without_a_token_the_api_answers_401(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let anonymous = app.as_(Who::Anonymous);
    for uri in [
        "/api/v1/decisions",
        "/api/v1/committees",
        "/api/v1/owners",
        "/api/v1/tokens",
    ] {
        let response = anonymous.get(uri).await;
        let detail = response.expect_problem(401);
        assert!(detail.contains("token"), "{uri}: {detail}");
        assert_eq!(
            response.header("www-authenticate"),
            Some("Bearer realm=\"vedtakslogg\"")
        );
    }
    anonymous
        .post("/api/v1/committees", &json!({"code": "ASU", "name": "x"}))
        .await
        .expect_problem(401);
    assert_eq!(
        app.get("/api/v1/committees").await.expect(200),
        json!([]),
        "nothing was written"
    );
}

/// Every write operation the OpenAPI document lists, with its path filled in.
fn write_operations() -> Vec<(Method, String)> {
    let spec = serde_json::to_value(vedtakslogg::api::openapi()).unwrap();
    let mut operations = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in ["post", "patch", "delete", "put"] {
            if item.get(method).is_some() {
                let uri = path
                    .replace("{code}", "ASU")
                    .replace("{number}", "24-24")
                    .replace("{owner}", "AU")
                    .replace("{token}", "AU")
                    .replace("{id}", "7b3c3bd5-5e8e-4a58-9a64-1a0b8f9c2d11");
                operations.push((
                    Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                    uri,
                ));
            }
        }
    }
    operations
}

async fn a_reader_gets_403_on_every_write_endpoint(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let reader = app.as_(Who::Reader);
    let operations = write_operations();
    assert!(
        operations.len() >= 15,
        "the document lists the write operations: {}",
        operations.len()
    );
    for (method, uri) in operations {
        let response = reader
            .send(
                TestRequest::default()
                    .method(method.clone())
                    .uri(&uri)
                    .insert_header(("if-match", "\"1\""))
                    .set_json(json!({})),
            )
            .await;
        let detail = response.expect_problem(403);
        assert!(
            detail.contains("'AU' is a reader"),
            "{method} {uri}: {detail}"
        );
    }
    // Reading is what a reader does.
    reader.get("/api/v1/committees").await.expect(200);
    reader.get("/api/v1/decisions").await.expect(200);
    // An editor cannot manage tokens.
    app.as_(Who::Editor)
        .get("/api/v1/tokens")
        .await
        .expect_problem(403);
}

async fn a_revoked_or_unknown_token_gets_401(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.as_(Who::Admin);
    let issued = admin
        .post(
            "/api/v1/tokens",
            &json!({"name": "Dashboard", "role": "reader"}),
        )
        .await
        .expect(201);
    let secret = issued["secret"].as_str().unwrap().to_owned();
    app.with_token(&secret)
        .get("/api/v1/decisions")
        .await
        .expect(200);
    admin.delete("/api/v1/tokens/Dashboard").await.expect(200);
    let detail = app
        .with_token(&secret)
        .get("/api/v1/decisions")
        .await
        .expect_problem(401);
    assert!(detail.contains("unknown or revoked"), "{detail}");
    app.with_token("vl_not-a-real-token")
        .get("/api/v1/decisions")
        .await
        .expect_problem(401);
    let basic = app
        .as_(Who::Anonymous)
        .send(
            TestRequest::get()
                .uri("/api/v1/decisions")
                .insert_header(("authorization", "Basic YTpi")),
        )
        .await;
    assert!(basic.expect_problem(401).contains("Bearer"));
}

async fn admins_create_list_and_revoke_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.as_(Who::Admin);
    let issued = admin
        .post(
            "/api/v1/tokens",
            &json!({"name": "Nettsiden", "role": "reader"}),
        )
        .await
        .expect(201);
    assert!(issued["secret"].as_str().unwrap().starts_with("vl_"));
    assert_eq!(issued["role"], "reader");
    assert_eq!(issued["created_by"], "admin");
    let detail = admin
        .post(
            "/api/v1/tokens",
            &json!({"name": "Nettsiden", "role": "editor"}),
        )
        .await
        .expect_problem(409);
    assert!(detail.contains("already"), "{detail}");
    admin
        .post("/api/v1/tokens", &json!({"name": "X", "role": "superuser"}))
        .await
        .expect_problem(422);
    app.with_token(issued["secret"].as_str().unwrap())
        .get("/api/v1/committees")
        .await
        .expect(200);
    let list = admin.get("/api/v1/tokens").await.expect(200);
    let tokens = list.as_array().unwrap();
    assert_eq!(tokens.len(), 4);
    assert!(
        tokens
            .iter()
            .all(|t| t.get("secret").is_none() && t.get("token_hash").is_none())
    );
    let site = tokens.iter().find(|t| t["name"] == "Nettsiden").unwrap();
    assert!(site["last_used_at"].is_string(), "use is noted: {site}");
    assert_eq!(site["revoked_at"], Value::Null);
    let revoked = admin
        .delete(&format!("/api/v1/tokens/{}", site["id"].as_str().unwrap()))
        .await
        .expect(200);
    assert!(revoked["revoked_at"].is_string());
    // The name is free again for a new token.
    admin
        .post(
            "/api/v1/tokens",
            &json!({"name": "Nettsiden", "role": "reader"}),
        )
        .await
        .expect(201);
    admin
        .delete("/api/v1/tokens/Ingen")
        .await
        .expect_problem(404);
}

async fn the_database_holds_no_token_in_clear_text(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let secrets: Vec<String> = [Who::Admin, Who::Editor, Who::Reader]
        .iter()
        .map(|w| app.token(*w).unwrap().to_owned())
        .collect();
    let rows: Vec<(String, String, String, String)> = app
        .store
        .run(|conn| {
            Ok(api_tokens::table
                .select((
                    api_tokens::id,
                    api_tokens::name,
                    api_tokens::role,
                    api_tokens::token_hash,
                ))
                .load(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    for (id, name, role, hash) in rows {
        assert_eq!(hash.len(), 64, "a SHA-256 hash in hex");
        for secret in &secrets {
            let random_part = &secret[3..];
            for column in [&id, &name, &role, &hash] {
                assert!(
                    !column.contains(random_part),
                    "a secret is stored in clear text"
                );
            }
        }
    }
}

async fn public_reading_shows_only_what_is_public(backend: Backend) {
    let app = TestApp::spawn_with(backend, AccessSettings { public_read: true }).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let meeting = app.meeting("ASU", "2024-06-19").await;
    let open_case = app.case(&meeting, "24/24", "Status Handlingsplan").await;
    let exempt_case = app
        .post(
            "/api/v1/cases",
            &json!({"meeting_id": meeting["id"], "number": "25/24", "title": "Personalsak", "public": false}),
        )
        .await
        .expect(201);
    let public_point = app
        .decision(&open_case, "1", "assignment", &["AU"], Some("2001-01-01"))
        .await;
    let exempt_point = app
        .post(
            "/api/v1/decisions",
            &json!({"case_id": open_case["id"], "position": "2", "text": "Unntatt", "kind": "assignment",
                    "owners": [{"owner": "AU"}], "public": false, "deadline": "2001-01-01"}),
        )
        .await
        .expect(201);
    let point_in_exempt_case = app
        .decision(&exempt_case, "1", "assignment", &["AU"], Some("2001-01-01"))
        .await;
    app.post(
        &format!(
            "/api/v1/cases/{}/links",
            exempt_case["id"].as_str().unwrap()
        ),
        &json!({"kind": "refers_to", "target": "24/24"}),
    )
    .await
    .expect(201);

    let anonymous = app.as_(Who::Anonymous);
    let everyone = anonymous
        .get("/api/v1/decisions?overdue=true")
        .await
        .expect(200);
    assert_eq!(everyone["total"], 1);
    assert_eq!(everyone["items"][0]["id"], public_point["id"]);
    // Each way a list is read and counted (an owner's open work from the owner's index, the
    // status index, a search, every order) leaves out exempt points and points of exempt cases.
    for list in [
        "/api/v1/decisions?owner=AU&status=open,in_progress",
        "/api/v1/decisions?owner=AU&status=open,in_progress&sort=deadline",
        "/api/v1/decisions?status=open",
        "/api/v1/decisions?status=open&sort=deadline",
        "/api/v1/decisions?sort=-updated",
        "/api/v1/decisions?q=status",
        "/api/v1/decisions?q=status&sort=deadline",
    ] {
        let seen = anonymous.get(list).await.expect(200);
        assert_eq!(seen["total"], 1, "{list}");
        assert_eq!(seen["items"].as_array().unwrap().len(), 1, "{list}");
        assert_eq!(seen["items"][0]["id"], public_point["id"], "{list}");
    }
    assert_eq!(anonymous.get("/api/v1/cases").await.expect(200)["total"], 1);
    let meeting_seen = anonymous
        .get(&format!(
            "/api/v1/meetings/{}",
            meeting["id"].as_str().unwrap()
        ))
        .await
        .expect(200);
    assert_eq!(
        meeting_seen["case_count"], 1,
        "counts leave out what is exempt"
    );
    let case_seen = anonymous
        .get("/api/v1/committees/ASU/cases/24-24")
        .await
        .expect(200);
    assert_eq!(case_seen["decision_count"], 1);
    assert_eq!(case_seen["decisions"].as_array().unwrap().len(), 1);
    assert_eq!(
        case_seen["links"]["incoming"],
        json!([]),
        "a link from an exempt case is not shown"
    );
    for hidden in [
        format!("/api/v1/decisions/{}", exempt_point["id"].as_str().unwrap()),
        format!(
            "/api/v1/decisions/{}",
            point_in_exempt_case["id"].as_str().unwrap()
        ),
        format!(
            "/api/v1/decisions/{}/history",
            exempt_point["id"].as_str().unwrap()
        ),
        format!("/api/v1/cases/{}", exempt_case["id"].as_str().unwrap()),
        format!(
            "/api/v1/cases/{}/history",
            exempt_case["id"].as_str().unwrap()
        ),
        "/api/v1/committees/ASU/cases/25-24".to_owned(),
    ] {
        anonymous.get(&hidden).await.expect_problem(404);
    }
    assert!(
        anonymous
            .get("/api/v1/decisions?q=unntatt")
            .await
            .expect(200)["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // A token sees everything; anonymous callers still cannot write.
    assert_eq!(
        app.as_(Who::Reader)
            .get("/api/v1/decisions")
            .await
            .expect(200)["total"],
        3
    );
    anonymous
        .post("/api/v1/committees", &json!({"code": "AU", "name": "x"}))
        .await
        .expect_problem(401);
}

async fn operations_and_docs_need_no_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let anonymous = app.as_(Who::Anonymous);
    anonymous.get("/healthz").await.expect(200);
    anonymous.get("/readyz").await.expect(200);
    anonymous.get("/api/v1/openapi.json").await.expect(200);
    assert_eq!(anonymous.get("/api/docs/").await.status, 200);
}
