//! `/api/v1/committees`

use actix_web::{HttpResponse, delete, get, patch, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::{Editor, Reader};
use super::params::path;
use super::problem::{
    ApiError, BadRequest, Conflict, NotFound, PayloadTooLarge, Unprocessable, UnsupportedMediaType,
};
use super::types::Committee;
use super::{JsonBody, StoreData, created};
use crate::domain::CommitteeCode;
use crate::store::committees;
use crate::writes;
use crate::writes::committees::{CommitteeChanges, NewCommittee};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update)
        .service(remove);
}

/// List committees
///
/// Every committee, by code.
#[utoipa::path(tag = "committees", responses((status = 200, description = "The committees", body = Vec<Committee>)))]
#[get("/committees")]
async fn list(_reader: Reader, store: StoreData) -> Result<web::Json<Vec<Committee>>, ApiError> {
    Ok(web::Json(
        store
            .run(committees::list)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Record a committee
///
/// The code (ASU, AU) is how the committee is named in URLs and in other systems; it is
/// unique and cannot change.
#[utoipa::path(
    tag = "committees",
    request_body(content = NewCommittee, example = json!({"code": "ASU", "name": "Administrativt samarbeidsutvalg"})),
    responses(
        (status = 201, description = "Recorded", body = Committee, headers(("Location" = String, description = "The committee's URL"))),
        BadRequest, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
    )
)]
#[post("/committees")]
async fn create(
    Editor(actor): Editor,
    store: StoreData,
    body: JsonBody<NewCommittee>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let committee: Committee = store
        .run(move |conn| writes::committees::create(conn, new, &actor))
        .await?
        .into();
    // A header holds ASCII: a code with Æ, Ø or Å goes percent-encoded.
    let code: String =
        form_urlencoded::byte_serialize(committee.code.as_str().as_bytes()).collect();
    Ok(created(
        format!("/api/v1/committees/{code}"),
        committee.version,
        &committee,
    ))
}

/// Get a committee
#[utoipa::path(
    tag = "committees",
    params(("code" = CommitteeCode, Path, description = "The committee's code, any case", example = "ASU")),
    responses((status = 200, description = "The committee", body = Committee), BadRequest, NotFound)
)]
#[get("/committees/{code}")]
async fn get_one(
    _reader: Reader,
    store: StoreData,
    code: web::Path<String>,
) -> Result<web::Json<Committee>, ApiError> {
    let code: CommitteeCode = path(&code)?;
    Ok(web::Json(
        store
            .run(move |conn| committees::get(conn, &code))
            .await?
            .into(),
    ))
}

/// Change a committee's name
#[utoipa::path(
    tag = "committees",
    params(("code" = CommitteeCode, Path, description = "The committee's code", example = "ASU")),
    request_body = CommitteeChanges,
    responses(
        (status = 200, description = "The changed committee", body = Committee),
        BadRequest, NotFound, PayloadTooLarge, UnsupportedMediaType, Unprocessable
    )
)]
#[patch("/committees/{code}")]
async fn update(
    Editor(actor): Editor,
    store: StoreData,
    code: web::Path<String>,
    body: JsonBody<CommitteeChanges>,
) -> Result<web::Json<Committee>, ApiError> {
    let code: CommitteeCode = path(&code)?;
    let changes = body.into_inner();
    Ok(web::Json(
        store
            .run(move |conn| writes::committees::update(conn, &code, changes, &actor))
            .await?
            .into(),
    ))
}

/// Delete a committee
///
/// Only a committee without meetings, and that no link names, can be deleted.
#[utoipa::path(
    tag = "committees",
    params(("code" = CommitteeCode, Path, description = "The committee's code", example = "ASU")),
    responses((status = 204, description = "Deleted"), BadRequest, NotFound, Conflict)
)]
#[delete("/committees/{code}")]
async fn remove(
    Editor(actor): Editor,
    store: StoreData,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code: CommitteeCode = path(&code)?;
    store
        .run(move |conn| writes::committees::delete(conn, &code, &actor))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
