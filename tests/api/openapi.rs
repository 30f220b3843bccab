//! The committed OpenAPI document is what the code serves.

use serde_json::Value;
use vedtakslogg::config::Backend;

use crate::helpers::TestApp;

const COMMITTED: &str = include_str!("../../openapi/openapi.json");
const REGENERATE: &str = "cargo run -- openapi > openapi/openapi.json";

#[test]
fn committed_openapi_document_matches_the_code() {
    let committed: Value = serde_json::from_str(COMMITTED).expect("openapi/openapi.json is JSON");
    let generated = serde_json::to_value(vedtakslogg::api::openapi()).unwrap();
    assert!(
        committed == generated,
        "openapi/openapi.json differs from what the code generates; regenerate it with:\n    {REGENERATE}"
    );
}

#[test]
fn every_operation_documents_its_errors_and_a_summary() {
    let spec = serde_json::to_value(vedtakslogg::api::openapi()).unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let name = format!("{} {path}", method.to_uppercase());
            assert!(
                operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{name} has no summary"
            );
            let responses = operation["responses"].as_object().unwrap();
            let takes_input = path.contains('{')
                || operation.get("requestBody").is_some()
                || operation
                    .get("parameters")
                    .is_some_and(|p| !p.as_array().unwrap().is_empty());
            if takes_input && !path.starts_with("/readyz") {
                assert!(
                    responses.keys().any(|status| status.starts_with('4')),
                    "{name} takes input but documents no 4xx"
                );
            }
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"]
                            .get("application/problem+json")
                            .is_some(),
                        "{name} {status} is not problem+json"
                    );
                }
            }
        }
    }
}

crate::on_both_backends!(served_openapi_document_is_the_committed_one);

async fn served_openapi_document_is_the_committed_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let served = app.get("/api/v1/openapi.json").await.expect(200);
    let committed: Value = serde_json::from_str(COMMITTED).unwrap();
    assert!(
        served == committed,
        "the served document differs; regenerate with: {REGENERATE}"
    );
}
