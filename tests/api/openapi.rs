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

/// How the service reads or writes one value of an enum: whether `value` is what serde makes of
/// the type, both ways where the type goes both ways.
type Speaks = fn(&str) -> bool;

fn read_and_written<T: serde::Serialize + serde::de::DeserializeOwned>(value: &str) -> bool {
    serde_json::from_value::<T>(Value::from(value))
        .is_ok_and(|read| serde_json::to_value(read).unwrap() == value)
}

fn read<T: serde::de::DeserializeOwned>(value: &str) -> bool {
    serde_json::from_value::<T>(Value::from(value)).is_ok()
}

/// For types that are only written: what serde writes for each of their variants.
fn written<T: serde::Serialize>(variants: &[T]) -> Vec<Value> {
    variants
        .iter()
        .map(|v| serde_json::to_value(v).unwrap())
        .collect()
}

/// Every `enum` in the document, with where it is.
fn enums_in(value: &Value, at: String, found: &mut Vec<(String, Vec<String>)>) {
    match value {
        Value::Object(map) => {
            if let Some(values) = map.get("enum").and_then(Value::as_array) {
                let values = values.iter().map(|v| v.as_str().unwrap().to_owned());
                found.push((at.clone(), values.collect()));
            }
            for (key, inner) in map {
                enums_in(inner, format!("{at}/{key}"), found);
            }
        }
        Value::Array(items) => {
            for (index, inner) in items.iter().enumerate() {
                enums_in(inner, format!("{at}/{index}"), found);
            }
        }
        _ => {}
    }
}

#[test]
fn every_enum_in_the_document_lists_the_values_the_api_speaks() {
    use vedtakslogg::api::overview::{FollowUpFormat, ReportFormat};
    use vedtakslogg::domain::*;
    use vedtakslogg::import::apply::{ImportActionKind, ImportEntity};
    use vedtakslogg::import::document::{DocumentKind, ParsedCaseStatus};
    use vedtakslogg::store::decisions::DecisionSort;
    use vedtakslogg::store::history::Action;
    use vedtakslogg::store::proposals::ProposalStatus;
    use vedtakslogg::store::reminders::ReminderKind;

    // Types that are read and written, by their schema's name or, for an inline schema, by
    // the end of where it is in the document.
    let both: &[(&str, Speaks)] = &[
        ("CaseStatus", read_and_written::<CaseStatus>),
        ("DecisionKind", read_and_written::<DecisionKind>),
        ("DecisionStatus", read_and_written::<DecisionStatus>),
        ("LinkKind", read_and_written::<LinkKind>),
        ("MeetingKind", read_and_written::<MeetingKind>),
        ("MeetingStatus", read_and_written::<MeetingStatus>),
        ("OwnerKind", read_and_written::<OwnerKind>),
        ("Role", read_and_written::<Role>),
        ("ProposalStatus", read_and_written::<ProposalStatus>),
        ("ReminderKind", read_and_written::<ReminderKind>),
        // The subset an owner's address may choose.
        ("OwnerReminder", read_and_written::<ReminderKind>),
        (
            "/api/v1/proposals/get/parameters/1/schema",
            read::<ProposalStatus>,
        ),
        (
            "/api/v1/decisions/get/parameters/13/schema",
            read::<DecisionSort>,
        ),
        (
            "/api/v1/report/get/parameters/3/schema",
            read::<ReportFormat>,
        ),
        (
            "/api/v1/committees/{code}/follow-up/get/parameters/2/schema",
            read::<FollowUpFormat>,
        ),
    ];
    // Types that are only written, with every variant.
    let only_written: &[(&str, Vec<Value>)] = &[
        (
            "Action",
            written(&[Action::Created, Action::Updated, Action::Deleted]),
        ),
        (
            "DocumentKind",
            written(&[DocumentKind::Minutes, DocumentKind::Notice]),
        ),
        (
            "ParsedCaseStatus",
            written(&[
                ParsedCaseStatus::Decided,
                ParsedCaseStatus::Proposed,
                ParsedCaseStatus::Postponed,
            ]),
        ),
        (
            "ImportEntity",
            written(&[
                ImportEntity::Committee,
                ImportEntity::Meeting,
                ImportEntity::Case,
                ImportEntity::Decision,
            ]),
        ),
        (
            "ImportActionKind",
            written(&[
                ImportActionKind::Created,
                ImportActionKind::Updated,
                ImportActionKind::Unchanged,
                ImportActionKind::Removed,
                ImportActionKind::Skipped,
            ]),
        ),
    ];

    let spec = serde_json::to_value(vedtakslogg::api::openapi()).unwrap();
    let mut found = Vec::new();
    enums_in(&spec, String::new(), &mut found);
    assert!(found.len() >= both.len() + only_written.len());
    for (at, values) in &found {
        let name = at.rsplit('/').next().unwrap();
        let component = at.starts_with("/components/schemas/") && at.matches('/').count() == 3;
        let key = if component {
            name
        } else {
            at.trim_start_matches("/paths/")
        };
        if let Some((_, speaks)) = both.iter().find(|(k, _)| *k == key) {
            for value in values {
                assert!(speaks(value), "{at}: the API does not speak '{value}'");
            }
        } else if let Some((_, variants)) = only_written.iter().find(|(k, _)| *k == key) {
            assert_eq!(
                values
                    .iter()
                    .map(|v| Value::from(v.as_str()))
                    .collect::<Vec<_>>(),
                *variants,
                "{at}: the document's values are not what the API writes"
            );
        } else {
            panic!("{at} is an enum this test does not know; add its type to the lists above");
        }
    }
    // The enums of the domain list every value they have.
    let listed = |name: &str| -> Vec<String> {
        found
            .iter()
            .find(|(at, _)| at == &format!("/components/schemas/{name}"))
            .map(|(_, values)| values.clone())
            .unwrap_or_default()
    };
    macro_rules! lists_every_value {
        ($($type:ident),+) => {$(
            let values: Vec<String> = $type::ALL.iter().map(|v| v.as_str().to_owned()).collect();
            assert_eq!(listed(stringify!($type)), values, "{}", stringify!($type));
        )+};
    }
    lists_every_value!(
        CaseStatus,
        DecisionKind,
        DecisionStatus,
        LinkKind,
        MeetingKind,
        MeetingStatus,
        OwnerKind,
        Role
    );
}

#[test]
fn every_operation_has_its_own_id_and_documents_401_and_503() {
    let spec = serde_json::to_value(vedtakslogg::api::openapi()).unwrap();
    let mut ids = std::collections::HashSet::new();
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let name = format!("{} {path}", method.to_uppercase());
            let id = operation["operationId"].as_str().unwrap();
            assert!(
                ids.insert(id.to_owned()),
                "{name}: operationId {id} is taken"
            );
            if !path.starts_with("/api/v1/") {
                continue;
            }
            let responses = &operation["responses"];
            assert!(responses.get("401").is_some(), "{name} has no 401");
            let unavailable = &responses["503"];
            assert!(
                unavailable["headers"].get("Retry-After").is_some(),
                "{name}: 503 without Retry-After"
            );
        }
    }
}

/// Every link from a created record names an operation that exists and fills exactly the
/// path parameters of that operation from a field the created body has.
#[test]
fn links_from_creations_lead_to_real_operations_with_their_parameters() {
    let document = serde_json::to_value(vedtakslogg::api::openapi()).unwrap();
    let mut operations = std::collections::HashMap::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for operation in item.as_object().unwrap().values() {
            if let Some(id) = operation["operationId"].as_str() {
                let mut parameters: Vec<String> = path
                    .split('{')
                    .skip(1)
                    .filter_map(|part| part.split_once('}').map(|(name, _)| name.to_owned()))
                    .collect();
                parameters.sort();
                operations.insert(id.to_owned(), parameters);
            }
        }
    }
    let mut links = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        let Some(created) = item.pointer("/post/responses/201") else {
            continue;
        };
        let schema = created
            .pointer("/content/application~1json/schema/$ref")
            .and_then(Value::as_str)
            .unwrap_or_default();
        for (name, link) in created["links"].as_object().into_iter().flatten() {
            let target = link["operationId"].as_str().unwrap();
            let expected = operations
                .get(target)
                .unwrap_or_else(|| panic!("{path} links to {target}, which does not exist"));
            let mut given: Vec<String> = link["parameters"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            given.sort();
            assert_eq!(&given, expected, "{path} → {name}");
            for expression in link["parameters"].as_object().unwrap().values() {
                let field = expression
                    .as_str()
                    .unwrap()
                    .strip_prefix("$response.body#/")
                    .expect("a body field");
                // The schema's own text and that of the schemas it is made of (allOf).
                let component = |name: &str| document["components"]["schemas"][name].clone();
                let own = component(schema.rsplit('/').next().unwrap());
                let mut fields = own.to_string();
                for part in own["allOf"].as_array().into_iter().flatten() {
                    if let Some(reference) = part["$ref"].as_str() {
                        fields.push_str(
                            &component(reference.rsplit('/').next().unwrap()).to_string(),
                        );
                    }
                }
                assert!(
                    fields.contains(&format!("\"{field}\"")),
                    "{path} → {name}: the body of {schema} has no {field}"
                );
            }
            links += 1;
        }
    }
    assert!(links >= 20, "links from every creation: {links}");
}
