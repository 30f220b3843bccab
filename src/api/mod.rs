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
pub mod tokens;

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
        (name = "operations", description = "Health checks"),
    ),
    components(schemas(Problem)),
    modifiers(&Security)
)]
pub struct ApiDoc;

/// Adds the bearer-token scheme, and says of every API operation that it takes a token and
/// may answer 401 (and 403 where a role is needed). Reads also work without a token when
/// public reading is on.
struct Security;

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
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/api/v1/") {
                continue;
            }
            let operations = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.patch, true),
                (&mut item.delete, true),
            ];
            for (operation, writes) in operations {
                let Some(operation) = operation.as_mut() else {
                    continue;
                };
                let admin_only = path.starts_with("/api/v1/tokens");
                let mut security = vec![SecurityRequirement::new("bearer", Vec::<String>::new())];
                if !writes && !admin_only {
                    // Anonymous reads, when public reading is on.
                    security.push(SecurityRequirement::default());
                }
                operation.security = Some(security);
                let responses = &mut operation.responses.responses;
                responses.insert(
                    "401".into(),
                    problem(if writes || admin_only {
                        "No valid token: none was sent, or it is unknown or revoked."
                    } else {
                        "No valid token: none was sent (and public reading is off), or it is unknown or revoked."
                    }),
                );
                if writes || admin_only {
                    responses.insert(
                        "403".into(),
                        problem(if admin_only {
                            "The token is not an admin's."
                        } else {
                            "The token is a reader's: writing needs the editor role."
                        }),
                    );
                }
            }
        }
    }
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
                .configure(tokens::routes),
        )
}

/// The OpenAPI document the service serves, built without a database.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, openapi) = register(actix_web::App::new().into_utoipa_app()).split_for_parts();
    openapi
}

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// The OpenAPI document, as collected when the routes were registered.
pub struct OpenApiDocument(pub utoipa::openapi::OpenApi);

/// Serves the OpenAPI document.
pub async fn openapi_document(document: web::Data<OpenApiDocument>) -> HttpResponse {
    HttpResponse::Ok().json(&document.0)
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

/// The answer to a route that does not exist.
pub async fn no_route(req: actix_web::HttpRequest) -> HttpResponse {
    problem::problem_response(
        actix_web::http::StatusCode::NOT_FOUND,
        format!(
            "no route {} {}; see /api/docs for the API",
            req.method(),
            req.path()
        ),
    )
}
