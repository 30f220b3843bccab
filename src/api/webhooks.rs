//! `/api/v1/webhooks`: endpoints that get a signed POST for every change they subscribe to,
//! managed by admins; the delivery log and redelivery.

use actix_web::{HttpResponse, delete, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Admin;
use super::params::{QueryParams, text_segment};
use super::problem::{
    ApiError, BadRequest, NotFound, PayloadTooLarge, Unprocessable, UnsupportedMediaType,
};
use super::{JsonBody, StoreData};
use crate::notify::WebhookPolicy;
use crate::notify::signing;
use crate::store::outbox::Delivery;
use crate::store::webhooks::{self, IssuedWebhook, NewWebhook, Webhook};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(remove)
        .service(enable)
        .service(deliveries)
        .service(redeliver);
}

fn id_segment(segment: &str, what: &str) -> Result<uuid::Uuid, ApiError> {
    text_segment(segment)?
        .parse()
        .map_err(|_| ApiError::BadRequest(format!("{what}: '{segment}' is not a UUID")))
}

/// The `limit` of a list of the newest items of the outbox: 50 unless given, at most 200.
pub(crate) fn newest_limit(limit: Option<i64>) -> Result<i64, ApiError> {
    let limit = limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::BadRequest(
            "limit: must be between 1 and 200".into(),
        ));
    }
    Ok(limit)
}

/// The policy the operator set; without one, internal addresses are refused.
fn policy(configured: Option<web::Data<WebhookPolicy>>) -> WebhookPolicy {
    configured.map(|p| **p).unwrap_or_default()
}

/// List webhooks
///
/// Every registered endpoint, oldest first, with the events it wants and, when deliveries to
/// it failed for 24 hours, when and why it was disabled. Secrets are never shown again. Needs
/// the admin role.
#[utoipa::path(tag = "webhooks", responses((status = 200, description = "The endpoints", body = Vec<Webhook>)))]
#[get("/webhooks")]
async fn list(_admin: Admin, store: StoreData) -> Result<web::Json<Vec<Webhook>>, ApiError> {
    Ok(web::Json(store.run(webhooks::list).await?))
}

/// Register a webhook
///
/// From now on every change of a kind the endpoint wants is POSTed to it as JSON
/// `{"type": "decision.updated", "timestamp": ..., "data": <the record as the API shows it>,
/// "changes": {field: {"from", "to"}}}` (a deleted record's `data` has only its `id`), signed
/// as the Standard Webhooks specification says: headers `webhook-id` (`msg_<delivery id>`,
/// the same on every retry), `webhook-timestamp` (Unix seconds) and `webhook-signature`
/// (`v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`, keyed with the
/// base64-decoded part of the secret after `whsec_`).
///
/// Deliveries are queued in the change's own transaction and sent at least once, in order for
/// each record; a receiver answers 2xx to take one. A failed one is tried again after 5 s,
/// doubling to at most an hour; after 24 hours the endpoint is disabled, with the reason shown
/// here. Loopback, private and link-local addresses are refused (422) unless the operator set
/// `VEDTAKSLOGG_WEBHOOKS_ALLOW_PRIVATE=true`. The answer holds the secret, the only time it is
/// shown. Needs the admin role.
#[utoipa::path(
    tag = "webhooks",
    request_body(content = NewWebhook, example = json!({"url": "https://arkiv.example.no/vedtakslogg/hook", "events": ["decision.updated", "case.*"], "description": "Arkivet"})),
    responses(
        (status = 201, description = "Registered; the secret is shown this once", body = IssuedWebhook),
        BadRequest, PayloadTooLarge, UnsupportedMediaType, Unprocessable
    )
)]
#[post("/webhooks")]
async fn create(
    Admin(actor): Admin,
    store: StoreData,
    configured: Option<web::Data<WebhookPolicy>>,
    body: JsonBody<NewWebhook>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    policy(configured)
        .check_url(&new.url)
        .map_err(|refused| ApiError::Unprocessable(refused.to_string()))?;
    let secret = signing::new_secret().map_err(ApiError::Unavailable)?;
    let issued = store
        .run(move |conn| webhooks::create(conn, new, secret, &actor))
        .await?;
    log::info!(
        "webhook {} registered for {}",
        issued.webhook.id,
        issued.webhook.url
    );
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/webhooks/{}", issued.webhook.id),
        ))
        .json(issued))
}

/// Get a webhook
#[utoipa::path(
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "The endpoint's id")),
    responses((status = 200, description = "The endpoint", body = Webhook), BadRequest, NotFound)
)]
#[get("/webhooks/{id}")]
async fn get_one(
    _admin: Admin,
    store: StoreData,
    id: web::Path<String>,
) -> Result<web::Json<Webhook>, ApiError> {
    let id = id_segment(&id, "id")?;
    Ok(web::Json(
        store.run(move |conn| webhooks::get(conn, id)).await?,
    ))
}

/// Remove a webhook
///
/// Nothing more is sent to it; what was queued for it and its delivery log go with it. Needs
/// the admin role.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "The endpoint's id")),
    responses((status = 200, description = "Removed", body = Webhook), BadRequest, NotFound)
)]
#[delete("/webhooks/{id}")]
async fn remove(
    _admin: Admin,
    store: StoreData,
    id: web::Path<String>,
) -> Result<web::Json<Webhook>, ApiError> {
    let id = id_segment(&id, "id")?;
    let webhook = store.run(move |conn| webhooks::delete(conn, id)).await?;
    log::info!("webhook {} removed", webhook.id);
    Ok(web::Json(webhook))
}

/// Enable a webhook again
///
/// For an endpoint disabled after 24 hours of failed deliveries, once the receiver works
/// again: everything queued for it since, and the delivery that gave up, go out now, in
/// order, with a fresh 24 hours of retries. Needs the admin role.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "The endpoint's id")),
    responses((status = 200, description = "Enabled", body = Webhook), BadRequest, NotFound)
)]
#[post("/webhooks/{id}/enable")]
async fn enable(
    _admin: Admin,
    store: StoreData,
    id: web::Path<String>,
) -> Result<web::Json<Webhook>, ApiError> {
    let id = id_segment(&id, "id")?;
    let now = crate::store::clock_now();
    Ok(web::Json(
        store
            .run(move |conn| webhooks::enable(conn, id, now))
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct DeliveriesQuery {
    /// How many of the newest deliveries to show, at most 200.
    #[param(minimum = 1, maximum = 200, default = 50)]
    limit: Option<i64>,
}

/// List a webhook's deliveries
///
/// The newest deliveries to the endpoint, newest first, each with its status (`pending`,
/// `delivered` or `failed`), the body sent, and the log of every try with the receiver's
/// answer or the error. Needs the admin role.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "The endpoint's id"), DeliveriesQuery),
    responses((status = 200, description = "The deliveries", body = Vec<Delivery>), BadRequest, NotFound)
)]
#[get("/webhooks/{id}/deliveries")]
async fn deliveries(
    _admin: Admin,
    store: StoreData,
    id: web::Path<String>,
    query: QueryParams<DeliveriesQuery>,
) -> Result<web::Json<Vec<Delivery>>, ApiError> {
    let id = id_segment(&id, "id")?;
    let limit = newest_limit(query.0.limit)?;
    Ok(web::Json(
        store
            .run(move |conn| webhooks::deliveries(conn, id, limit))
            .await?,
    ))
}

/// Redeliver
///
/// Sends a delivery again, now: one that failed, or one that went through and the receiver
/// lost. It keeps its `webhook-id`, so that a receiver that has it already can tell; later
/// deliveries of the same record wait for it. Needs the admin role.
#[utoipa::path(
    tag = "webhooks",
    params(
        ("id" = uuid::Uuid, Path, description = "The endpoint's id"),
        ("delivery" = uuid::Uuid, Path, description = "The delivery's id"),
    ),
    responses((status = 200, description = "Queued again", body = Delivery), BadRequest, NotFound)
)]
#[post("/webhooks/{id}/deliveries/{delivery}/redeliver")]
async fn redeliver(
    _admin: Admin,
    store: StoreData,
    path: web::Path<(String, String)>,
) -> Result<web::Json<Delivery>, ApiError> {
    let (id, delivery) = path.into_inner();
    let id = id_segment(&id, "id")?;
    let delivery = id_segment(&delivery, "delivery")?;
    let now = crate::store::clock_now();
    Ok(web::Json(
        store
            .run(move |conn| webhooks::redeliver(conn, id, delivery, now))
            .await?,
    ))
}
