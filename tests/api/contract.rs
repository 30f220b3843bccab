//! What the OpenAPI document promises about every operation, checked against the service:
//! 405 with `Allow` for a method a path does not take, 401 and 403 where the document says,
//! and a token that cannot revoke itself.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::{Value, json};
use vedtakslogg::api::auth::AccessSettings;
use vedtakslogg::config::Backend;

use crate::helpers::{TestApp, Who};

crate::on_both_backends!(
    a_method_a_path_does_not_take_is_answered_405_with_allow,
    each_operation_answers_401_and_403_as_the_document_says,
    a_token_cannot_revoke_itself,
);

async fn a_method_a_path_does_not_take_is_answered_405_with_allow(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cases = [
        (Method::TRACE, "/api/v1/committees", "GET, POST"),
        (Method::PUT, "/api/v1/decisions", "GET, POST"),
        (
            Method::PUT,
            "/api/v1/cases/00000000-0000-0000-0000-000000000000",
            "GET, PATCH, DELETE",
        ),
        (Method::POST, "/api/v1/tokens/AU", "DELETE"),
        (Method::DELETE, "/api/v1/openapi.json", "GET"),
        (Method::TRACE, "/healthz", "GET"),
    ];
    for who in [Who::Admin, Who::Reader, Who::Anonymous] {
        let client = app.as_(who);
        for (method, path, allow) in &cases {
            let response = client
                .send(TestRequest::default().method(method.clone()).uri(path))
                .await;
            let name = format!("{method} {path} as {who:?}");
            response.expect_problem(405);
            assert_eq!(response.header("allow"), Some(*allow), "{name}");
        }
    }
    // A path the API does not have stays 404, whatever the method.
    for (method, path) in [
        (Method::GET, "/api/v1/nothing"),
        (Method::TRACE, "/api/v1/cases/x/y/z"),
        (Method::PUT, "/nowhere"),
    ] {
        let response = app
            .as_(Who::Admin)
            .send(TestRequest::default().method(method).uri(path))
            .await;
        response.expect_problem(404);
        assert_eq!(response.header("allow"), None);
    }
}

/// Fills a path's parameters with values that parse.
fn concrete(path: &str) -> String {
    path.replace("{id}", "00000000-0000-0000-0000-000000000000")
        .replace("{code}", "ASU")
        .replace("{number}", "1-24")
        .replace("{owner}", "Nobody")
        .replace("{token}", "nobody")
}

async fn each_operation_answers_401_and_403_as_the_document_says(backend: Backend) {
    // With public reading on, so that the document's "no token needed" can be seen.
    let app = TestApp::spawn_with(backend, AccessSettings { public_read: true }).await;
    let spec = app.get("/api/v1/openapi.json").await.expect(200);
    let mut checked = 0;
    for (path, operations) in spec["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") {
            continue;
        }
        for (method, operation) in operations.as_object().unwrap() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let uri = concrete(path);
            let request = || TestRequest::default().method(method.clone()).uri(&uri);
            let name = format!("{method} {path}");
            let anonymous = operation["security"]
                .as_array()
                .unwrap()
                .iter()
                .any(|requirement| requirement == &json!({}));
            let status = app
                .as_(Who::Anonymous)
                .send(request())
                .await
                .status
                .as_u16();
            if anonymous {
                assert_ne!(status, 401, "{name}: the document lets anyone call it");
            } else {
                assert_eq!(status, 401, "{name}: the document says it needs a token");
            }
            let bad = app.with_token("vl_not-a-token").send(request()).await;
            assert_eq!(bad.status.as_u16(), 401, "{name} with an unknown token");
            let documents_403 = operation["responses"].get("403").is_some();
            let as_reader = app.as_(Who::Reader).send(request()).await.status.as_u16();
            assert_eq!(
                as_reader == 403,
                documents_403,
                "{name}: a reader got {as_reader}; the document {} 403",
                if documents_403 {
                    "lists"
                } else {
                    "does not list"
                }
            );
            // Admins' own parts: tokens, webhooks, reminders.
            let admins_only = ["/api/v1/tokens", "/api/v1/webhooks", "/api/v1/reminders"]
                .iter()
                .any(|prefix| path.starts_with(prefix));
            if documents_403 && !admins_only {
                let as_editor = app.as_(Who::Editor).send(request()).await.status.as_u16();
                assert_ne!(as_editor, 403, "{name}: an editor may");
            }
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} operations were checked");
}

async fn a_token_cannot_revoke_itself(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let tokens = app.as_(Who::Admin).get("/api/v1/tokens").await.expect(200);
    let own = app.token(Who::Admin).unwrap().to_owned();
    let me = tokens
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "admin")
        .cloned()
        .unwrap();
    for key in [me["id"].as_str().unwrap(), me["name"].as_str().unwrap()] {
        let detail = app
            .as_(Who::Admin)
            .delete(&format!("/api/v1/tokens/{key}"))
            .await
            .expect_problem(409);
        assert!(detail.contains("cannot revoke itself"), "{detail}");
    }
    // Still in use.
    app.with_token(&own).get("/api/v1/tokens").await.expect(200);
    // Another admin can revoke it.
    let other: Value = app
        .as_(Who::Admin)
        .post(
            "/api/v1/tokens",
            &json!({"name": "second admin", "role": "admin"}),
        )
        .await
        .expect(201);
    let other = other["secret"].as_str().unwrap().to_owned();
    app.with_token(&other)
        .delete(&format!("/api/v1/tokens/{}", me["id"].as_str().unwrap()))
        .await
        .expect(200);
    app.with_token(&own)
        .get("/api/v1/tokens")
        .await
        .expect_problem(401);
}
