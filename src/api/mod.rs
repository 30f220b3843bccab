//! The HTTP API under `/api/v1`: thin handlers that parse, call one store function, and map
//! the result; routes are registered through utoipa-actix-web so that routing and the OpenAPI
//! document cannot drift apart.

pub mod auth;
pub mod cases;
pub mod committees;
pub mod decisions;
pub mod etag;
pub mod health;
pub mod imports;
pub mod json;
pub mod links;
pub mod meetings;
pub mod overview;
pub mod owners;
pub mod pagination;
pub mod params;
pub mod problem;
pub mod proposals;
pub mod reminders;
pub mod tokens;
pub mod types;
pub mod webhooks;

use actix_web::dev::{ServiceFactory, ServiceRequest};
use actix_web::{HttpResponse, web};
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, UtoipaApp, scope};

pub use json::JsonBody;
pub use pagination::Page;
pub use problem::{ApiError, Problem};

use crate::store::Store;

/// The top of the OpenAPI document; the paths and schemas are collected from the routes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Vedtakslogg",
        description = "A decision log (vedtakslogg) for public committees: every adopted decision point \
(vedtakspunkt) with its owners, deadline and follow-up status, and the links that follow a matter \
from meeting to meeting.\n\n\
The words: a committee (utvalg, such as ASU) holds meetings (møter); a meeting has cases (saker) \
numbered NN/YY per committee and year (37/23); a case's decision (vedtak) has numbered points \
(vedtakspunkter) such as 24/24-2.\n\n\
Errors are `application/problem+json` (RFC 9457) with a `detail` that names the field. \
Lists are paged with `limit` (at most 200) and the opaque `next_cursor` of the previous page. \
Times are UTC; dates are `YYYY-MM-DD`.",
        license(name = "MIT"),
    ),
    tags(
        (name = "committees", description = "Committees (utvalg)"),
        (name = "meetings", description = "Meetings (møter)"),
        (name = "cases", description = "Cases (saker) on a meeting's agenda"),
        (name = "decisions", description = "Decision points (vedtakspunkter) and their follow-up"),
        (name = "owners", description = "The registry of owners of actions (ansvarlige)"),
        (name = "imports", description = "Meeting documents (notices and minutes) read into the log"),
        (name = "links", description = "Follow-up links between cases (oppfølging)"),
        (name = "overview", description = "What AU asks: counts, the list for the next meeting, the calendar of deadlines"),
        (name = "tokens", description = "API tokens (admins only)"),
        (name = "reminders", description = "Reminder mails to owners and the secretariat, and owners' addresses (admins only)"),
        (name = "webhooks", description = "Signed webhooks for integrations, with their delivery log (admins only)"),
        (name = "operations", description = "Health checks"),
    ),
    components(schemas(Problem))
)]
pub struct ApiDoc;

/// Adds the bearer-token scheme, and to every API operation the answers that any of them can
/// give whatever its own work: 401 and 403 as its extractor decides (see [`auth`]), and 503
/// when the database is unavailable or busy. It runs on the finished document (see
/// [`finish`]), since the paths are collected from the routes after `ApiDoc` is built.
/// There is no rate limit, so no operation answers 429.
struct Security;

/// Reads that need a token even when public reading is on ([`auth::TokenHolder`]): the
/// editorial parts of the log.
const TOKEN_ONLY_READS: [&str; 2] = ["/api/v1/imports", "/api/v1/proposals"];

/// Where only admins may go ([`auth::Admin`]).
const ADMIN_ONLY: [&str; 3] = ["/api/v1/tokens", "/api/v1/webhooks", "/api/v1/reminders"];

/// Who may call an operation, as its extractor decides.
#[derive(Clone, Copy, PartialEq)]
enum Access {
    /// [`auth::Reader`]: any token, or none when public reading is on.
    Read,
    /// [`auth::TokenHolder`]: any token.
    AnyToken,
    /// [`auth::Editor`].
    Editor,
    /// [`auth::Admin`].
    Admin,
}

impl Access {
    fn of(path: &str, writes: bool) -> Self {
        if ADMIN_ONLY.iter().any(|prefix| path.starts_with(prefix)) {
            Access::Admin
        } else if writes {
            Access::Editor
        } else if TOKEN_ONLY_READS.contains(&path) {
            Access::AnyToken
        } else {
            Access::Read
        }
    }

    fn unauthorized(self) -> &'static str {
        match self {
            Access::Read => {
                "No valid token: none was sent and public reading is off, or the token is unknown or revoked."
            }
            _ => "No valid token: none was sent, or it is unknown or revoked.",
        }
    }

    fn forbidden(self) -> Option<&'static str> {
        match self {
            Access::Read | Access::AnyToken => None,
            Access::Editor => Some("The token is a reader's: this needs the editor role."),
            Access::Admin => Some("The token is not an admin's."),
        }
    }
}

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            Http, HttpAuthScheme, SecurityRequirement, SecurityScheme,
        };
        use utoipa::openapi::{RefOr, Response};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                utoipa::openapi::security::HttpBuilder::from(Http::new(HttpAuthScheme::Bearer))
                    .description(Some(
                        "An API token: `Authorization: Bearer vl_...`. Create one with \
                         `vedtakslogg token create --name NAME --role reader|editor|admin` or \
                         POST /api/v1/tokens.",
                    ))
                    .build(),
            ),
        );
        let problem = |description: &str| -> RefOr<Response> {
            let mut response = Response::new(description);
            response.content.insert(
                problem::PROBLEM_JSON.to_owned(),
                utoipa::openapi::ContentBuilder::new()
                    .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
                    .build(),
            );
            RefOr::T(response)
        };
        let unavailable = || -> RefOr<Response> {
            let RefOr::T(mut response) = problem(
                "The database is unavailable, or too busy to take this request in time; nothing \
                 was changed. Try again after the seconds that Retry-After gives.",
            ) else {
                unreachable!("problem() builds a response")
            };
            response.headers.insert(
                "Retry-After".into(),
                utoipa::openapi::HeaderBuilder::new()
                    .schema(
                        utoipa::openapi::ObjectBuilder::new()
                            .schema_type(utoipa::openapi::schema::Type::Integer)
                            .minimum(Some(0)),
                    )
                    .description(Some("Seconds to wait before trying again."))
                    .build(),
            );
            RefOr::T(response)
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/api/v1/") {
                continue;
            }
            let operations = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.patch, true),
                (&mut item.delete, true),
            ];
            for (operation, writes) in operations {
                let Some(operation) = operation.as_mut() else {
                    continue;
                };
                let access = Access::of(path, writes);
                let mut security = vec![SecurityRequirement::new("bearer", Vec::<String>::new())];
                if access == Access::Read {
                    // Anonymous reads, when public reading is on.
                    security.push(SecurityRequirement::default());
                }
                operation.security = Some(security);
                let responses = &mut operation.responses.responses;
                responses.insert("401".into(), problem(access.unauthorized()));
                if let Some(forbidden) = access.forbidden() {
                    responses.insert("403".into(), problem(forbidden));
                }
                responses.insert("503".into(), unavailable());
            }
        }
    }
}

/// The OpenAPI document of registered routes, finished: what every operation answers besides
/// its own responses (see [`Security`]), unique operation ids, and what utoipa's types cannot
/// say, written into the JSON itself: the text the service refuses, and the two ways to name a
/// record.
pub fn finish(mut openapi: utoipa::openapi::OpenApi) -> serde_json::Value {
    utoipa::Modify::modify(&Security, &mut openapi);
    unique_operation_ids(&mut openapi);
    let mut document = serde_json::to_value(&openapi).unwrap_or_default();
    forbid_control_characters(&mut document);
    one_way_to_name(
        &mut document,
        "NewCase",
        ("meeting_id", "MeetingId"),
        &[
            ("committee", "CommitteeCode"),
            ("meeting_date", "CalendarDate"),
        ],
    );
    one_way_to_name(
        &mut document,
        "NewDecision",
        ("case_id", "CaseId"),
        &[
            ("committee", "CommitteeCode"),
            ("case_number", "CaseNumber"),
        ],
    );
    links_from_creations(&mut document);
    document
}

/// Links (OpenAPI `links`) from each operation that creates a record to the operations on the
/// record it made, with the key taken from the created body, so that a client generator or a
/// tool such as Schemathesis's stateful phase can follow them: `POST /decisions` leads to
/// `GET`, `PATCH`, `DELETE /decisions/{id}` and `/decisions/{id}/history`, and so on.
fn links_from_creations(document: &mut serde_json::Value) {
    use serde_json::{Map, Value, json};
    let Some(paths) = document.get("paths").and_then(Value::as_object) else {
        return;
    };
    // (path, operationId) of every operation.
    let operations: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flat_map(|methods| methods.values())
                .filter_map(|op| op.get("operationId").and_then(Value::as_str))
                .map(move |id| (path.clone(), id.to_owned()))
        })
        .collect();
    let creations: Vec<String> = paths
        .iter()
        .filter(|(_, item)| item.pointer("/post/responses/201").is_some())
        .map(|(path, _)| path.clone())
        .collect();
    // The operations on what `created` made: one parameter below it, with the body's field
    // of that name (`code` for a committee, else `id`); and a few that name it otherwise.
    let on_record = |created: &str| -> Map<String, Value> {
        let mut links = Map::new();
        for (path, operation) in &operations {
            let parameters = if let Some(rest) = path.strip_prefix(&format!("{created}/{{")) {
                let Some((name, tail)) = rest.split_once('}') else {
                    continue;
                };
                if tail.contains('{') {
                    continue;
                }
                let field = if name == "code" { "code" } else { "id" };
                json!({ name: format!("$response.body#/{field}") })
            } else if created == "/api/v1/cases"
                && path.starts_with("/api/v1/committees/{code}/cases/{number}")
            {
                json!({"code": "$response.body#/committee", "number": "$response.body#/number"})
            } else if created == "/api/v1/cases/{id}/links" && path == "/api/v1/links/{id}" {
                json!({"id": "$response.body#/id"})
            } else {
                continue;
            };
            links.insert(
                operation.clone(),
                json!({"operationId": operation, "parameters": parameters}),
            );
        }
        links
    };
    for created in creations {
        let links = on_record(&created);
        if links.is_empty() {
            continue;
        }
        let pointer = format!(
            "/paths/{}/post/responses/201",
            created.replace('~', "~0").replace('/', "~1")
        );
        if let Some(response) = document
            .pointer_mut(&pointer)
            .and_then(Value::as_object_mut)
        {
            response.insert("links".into(), Value::Object(links));
        }
    }
}

/// Says in a request schema that a record is named one way or the other, never both nor
/// half: by its id, or by all of `keys` (a meeting by committee and date). A field sent as
/// null counts as left out, as the service reads it. Each field is given with its schema.
fn one_way_to_name(
    document: &mut serde_json::Value,
    schema: &str,
    id: (&str, &str),
    keys: &[(&str, &str)],
) {
    use serde_json::{Map, Value, json};
    let Some(found) = document.pointer_mut(&format!("/components/schemas/{schema}")) else {
        return;
    };
    let absent = json!({"type": "null"});
    let present = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let mut by_id = Map::new();
    by_id.insert(id.0.into(), present(id.1));
    let mut by_keys = Map::new();
    by_keys.insert(id.0.into(), absent.clone());
    for (key, key_schema) in keys {
        by_id.insert((*key).into(), absent.clone());
        by_keys.insert((*key).into(), present(key_schema));
    }
    let names: Vec<&str> = keys.iter().map(|(key, _)| *key).collect();
    found["oneOf"] = json!([
        {"required": [id.0], "properties": Value::Object(by_id)},
        {"required": names, "properties": Value::Object(by_keys)},
    ]);
}

/// What the service takes as text: no control character but tab and line breaks (see
/// [`json::has_control_character`]).
const TEXT_PATTERN: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";

/// Says in the document what the service checks of all text it is sent (bodies, query,
/// headers and path): no control characters. Every string of a request that has no pattern,
/// format or enum of its own gets [`TEXT_PATTERN`]; response schemas are left as they are.
fn forbid_control_characters(document: &mut serde_json::Value) {
    use serde_json::Value;
    // The components a request body reaches, however deep.
    let mut reached: Vec<String> = Vec::new();
    let mut pending: Vec<Value> = Vec::new();
    if let Some(paths) = document["paths"].as_object() {
        for item in paths.values() {
            for operation in item.as_object().into_iter().flat_map(|o| o.values()) {
                if let Some(content) = operation.pointer("/requestBody/content") {
                    pending.push(content.clone());
                }
            }
        }
    }
    while let Some(schema) = pending.pop() {
        for name in references(&schema) {
            if !reached.contains(&name) {
                pending.push(document["components"]["schemas"][&name].clone());
                reached.push(name);
            }
        }
    }
    // (Indexing a mutable value would add the keys it looks for: `pointer_mut` does not.)
    for name in &reached {
        if let Some(schema) = document.pointer_mut(&format!("/components/schemas/{name}")) {
            pattern_strings(schema);
        }
    }
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for operation in item
                .as_object_mut()
                .into_iter()
                .flat_map(|o| o.values_mut())
            {
                if let Some(content) = operation.pointer_mut("/requestBody/content") {
                    pattern_strings(content);
                    // A document sent as the body (text) is refused when empty.
                    for media in content
                        .as_object_mut()
                        .into_iter()
                        .flat_map(|c| c.values_mut())
                    {
                        if media.pointer("/schema/type") == Some(&Value::from("string")) {
                            media["schema"]["minLength"] = Value::from(1);
                        }
                    }
                }
                for parameter in operation
                    .get_mut("parameters")
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    // A parameter is sent or left out; it cannot be sent as null.
                    if let Some(Value::Array(types)) = parameter.pointer_mut("/schema/type") {
                        types.retain(|t| t != "null");
                    }
                    pattern_strings(parameter);
                }
            }
        }
    }
}

/// The names of the component schemas a schema refers to.
fn references(schema: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    match schema {
        Value::Object(map) => map
            .iter()
            .flat_map(|(key, value)| match (key.as_str(), value) {
                ("$ref", Value::String(target)) => target
                    .strip_prefix("#/components/schemas/")
                    .map(str::to_owned)
                    .into_iter()
                    .collect(),
                _ => references(value),
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(references).collect(),
        _ => Vec::new(),
    }
}

/// Gives every plain string in a schema [`TEXT_PATTERN`].
fn pattern_strings(schema: &mut serde_json::Value) {
    use serde_json::Value;
    match schema {
        Value::Object(map) => {
            let is_string = match map.get("type") {
                Some(Value::String(t)) => t == "string",
                Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
                _ => false,
            };
            let plain = !["pattern", "format", "enum", "$ref"]
                .iter()
                .any(|k| map.contains_key(*k));
            if is_string && plain {
                map.insert("pattern".into(), TEXT_PATTERN.into());
            }
            map.values_mut().for_each(pattern_strings);
        }
        Value::Array(items) => items.iter_mut().for_each(pattern_strings),
        _ => {}
    }
}

/// Makes each operation id unique, as OpenAPI requires (links and generated clients name
/// operations by it): an id is its handler's name, and where two handlers share a name
/// (`list`, `create`, ...) each is prefixed with the words of its path, as `cases_links_list`
/// for `GET /api/v1/cases/{id}/links`.
fn unique_operation_ids(openapi: &mut utoipa::openapi::OpenApi) {
    use std::collections::HashMap;
    let mut counts: HashMap<String, usize> = HashMap::new();
    for item in openapi.paths.paths.values() {
        for operation in item_operations(item).into_iter().flatten() {
            if let Some(id) = &operation.operation_id {
                *counts.entry(id.clone()).or_default() += 1;
            }
        }
    }
    for (path, item) in openapi.paths.paths.iter_mut() {
        let words: Vec<String> = path
            .trim_start_matches("/api/v1")
            .split('/')
            .filter(|segment| !segment.is_empty() && !segment.starts_with('{'))
            .map(|segment| segment.replace(['-', '.'], "_"))
            .collect();
        for operation in item_operations_mut(item).into_iter().flatten() {
            if let Some(id) = operation.operation_id.as_mut()
                && counts.get(id.as_str()).is_some_and(|n| *n > 1)
            {
                *id = if words.last() == Some(id) {
                    words.join("_")
                } else {
                    format!("{}_{id}", words.join("_"))
                };
            }
        }
    }
}

fn item_operations(
    item: &utoipa::openapi::PathItem,
) -> [Option<&utoipa::openapi::path::Operation>; 5] {
    [&item.get, &item.post, &item.put, &item.patch, &item.delete].map(Option::as_ref)
}

fn item_operations_mut(
    item: &mut utoipa::openapi::PathItem,
) -> [Option<&mut utoipa::openapi::path::Operation>; 5] {
    [
        item.get.as_mut(),
        item.post.as_mut(),
        item.put.as_mut(),
        item.patch.as_mut(),
        item.delete.as_mut(),
    ]
}

/// Registers every route of the service on `app`.
pub fn register<T>(app: UtoipaApp<T>) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.openapi(ApiDoc::openapi())
        .configure(health::routes)
        .service(
            scope::scope("/api/v1")
                .configure(committees::routes)
                .configure(meetings::routes)
                .configure(cases::routes)
                .configure(decisions::routes)
                .configure(imports::routes)
                .configure(links::routes)
                .configure(owners::routes)
                .configure(overview::routes)
                .configure(proposals::routes)
                .configure(reminders::routes)
                .configure(tokens::routes)
                .configure(webhooks::routes),
        )
}

/// The OpenAPI document the service serves, built without a database.
pub fn openapi() -> serde_json::Value {
    let (_, openapi) = register(actix_web::App::new().into_utoipa_app()).split_for_parts();
    finish(openapi)
}

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// The OpenAPI document, as collected when the routes were registered, and the methods of each
/// of its paths, for the answer to a method that a path does not take.
pub struct OpenApiDocument {
    document: serde_json::Value,
    methods: Vec<(actix_web::dev::ResourceDef, Vec<&'static str>)>,
}

impl OpenApiDocument {
    /// Finishes the document of the registered routes (see [`finish`]).
    pub fn new(openapi: utoipa::openapi::OpenApi) -> Self {
        let document = finish(openapi);
        let mut methods: Vec<_> = document["paths"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(path, item)| {
                let names = ["GET", "POST", "PUT", "PATCH", "DELETE"]
                    .into_iter()
                    .filter(|name| item.get(name.to_lowercase()).is_some());
                (
                    actix_web::dev::ResourceDef::new(path.as_str()),
                    names.collect(),
                )
            })
            .collect();
        methods.push((actix_web::dev::ResourceDef::new(OPENAPI_PATH), vec!["GET"]));
        Self { document, methods }
    }

    /// The methods a path takes; none for a path the API does not have.
    fn methods_of(&self, path: &str) -> Vec<&'static str> {
        let mut found: Vec<&'static str> = Vec::new();
        for (resource, methods) in &self.methods {
            if resource.is_match(path) {
                for method in methods {
                    if !found.contains(method) {
                        found.push(method);
                    }
                }
            }
        }
        found
    }
}

/// Serves the OpenAPI document.
pub async fn openapi_document(document: web::Data<OpenApiDocument>) -> HttpResponse {
    HttpResponse::Ok().json(&document.document)
}

/// The state the handlers share.
pub type StoreData = web::Data<Store>;

/// 201 Created with a Location header and the ETag of the new record's version.
pub(crate) fn created<T: serde::Serialize>(
    location: String,
    version: i32,
    body: &T,
) -> HttpResponse {
    etag::tagged(HttpResponse::Created(), version)
        .insert_header((actix_web::http::header::LOCATION, location))
        .json(body)
}

/// The answer to a request no route takes: 405 with `Allow` for a path the API has but not
/// with this method, 404 for any other.
pub async fn no_route(
    req: actix_web::HttpRequest,
    document: Option<web::Data<OpenApiDocument>>,
) -> HttpResponse {
    let allowed = document.map_or_else(Vec::new, |d| d.methods_of(req.path()));
    if !allowed.is_empty() {
        let allow = allowed.join(", ");
        let mut response = problem::problem_response(
            actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
            format!(
                "{} {} is not an operation of the API; {} takes {allow}",
                req.method(),
                req.path(),
                req.path()
            ),
        );
        if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&allow) {
            response
                .headers_mut()
                .insert(actix_web::http::header::ALLOW, value);
        }
        return response;
    }
    problem::problem_response(
        actix_web::http::StatusCode::NOT_FOUND,
        format!(
            "no route {} {}; see /api/docs for the API",
            req.method(),
            req.path()
        ),
    )
}
