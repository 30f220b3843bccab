//! The HTTP API under `/api/v1`: thin handlers that parse, call one store function, and map
//! the result; routes are registered through utoipa-actix-web so that routing and the OpenAPI
//! document cannot drift apart.

pub mod cases;
pub mod committees;
pub mod decisions;
pub mod health;
pub mod json;
pub mod links;
pub mod meetings;
pub mod owners;
pub mod pagination;
pub mod params;
pub mod problem;

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
        (name = "links", description = "Follow-up links between cases (oppfølging)"),
        (name = "operations", description = "Health checks"),
    ),
    components(schemas(Problem))
)]
pub struct ApiDoc;

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
                .configure(links::routes)
                .configure(owners::routes),
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

/// 201 Created with a Location header.
pub(crate) fn created<T: serde::Serialize>(location: String, body: &T) -> HttpResponse {
    HttpResponse::Created()
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
