//! Liveness and readiness.

use actix_web::{HttpResponse, get};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::StoreData;
use super::problem::{ApiError, Unavailable};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(healthz).service(readyz);
}

/// The state of the service.
#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Is the process alive?
///
/// Answers 200 while the process runs, without touching the database.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Alive", body = Health)))]
#[get("/healthz")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Can the service serve requests?
///
/// Answers 200 when the database answers a query, 503 when it does not.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "Ready: the database answers", body = Health), Unavailable)
)]
#[get("/readyz")]
async fn readyz(store: StoreData) -> Result<HttpResponse, ApiError> {
    store.ping().await?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}
