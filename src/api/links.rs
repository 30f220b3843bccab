//! `/api/v1/cases/{id}/links` and `/api/v1/links/{id}`

use actix_web::{HttpResponse, delete, get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::{Editor, Reader};
use super::params::path;
use super::problem::{
    ApiError, BadRequest, Conflict, Gone, NotFound, PayloadTooLarge, Unprocessable,
    UnsupportedMediaType,
};
use super::types::{CaseLinks, Link};
use super::{JsonBody, StoreData};
use crate::domain::{CaseId, CaseNumber, CommitteeCode, LinkId};
use crate::store::cases;
use crate::store::links;
use crate::writes;
use crate::writes::links::NewLink;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(list_by_number)
        .service(create)
        .service(get_one)
        .service(remove);
}

/// List a case's links
///
/// The links the case makes (outgoing) and those other cases make to it (incoming).
#[utoipa::path(
    tag = "links",
    params(("id" = uuid::Uuid, Path, description = "The case's id")),
    responses((status = 200, description = "The links", body = CaseLinks), BadRequest, NotFound)
)]
#[get("/cases/{id}/links")]
async fn list(
    Reader(visibility): Reader,
    store: StoreData,
    id: web::Path<String>,
) -> Result<web::Json<CaseLinks>, ApiError> {
    let id: CaseId = path(&id)?;
    Ok(web::Json(
        store
            .run(move |conn| links::list(conn, id, visibility))
            .await?
            .into(),
    ))
}

/// List the links of a case by committee and number
///
/// The same as `/cases/{id}/links`, for a case named as in the documents:
/// `/api/v1/committees/ASU/cases/37-23/links`.
#[utoipa::path(
    tag = "links",
    params(
        ("code" = CommitteeCode, Path, description = "The committee's code", example = "ASU"),
        ("number" = String, Path, description = "The case number as NN-YY", pattern = r"^(0{0,3}[1-9]|0{0,2}[1-9]\d|0?[1-9]\d\d|[1-9]\d{3})-(\d{2}|20\d{2})$", example = "37-23"),
    ),
    responses((status = 200, description = "The links", body = CaseLinks), BadRequest, NotFound)
)]
#[get("/committees/{code}/cases/{number}/links")]
async fn list_by_number(
    Reader(visibility): Reader,
    store: StoreData,
    segments: web::Path<(String, String)>,
) -> Result<web::Json<CaseLinks>, ApiError> {
    let (code, number) = segments.into_inner();
    let code: CommitteeCode = path(&code)?;
    let number: CaseNumber = path(&number)?;
    let links = store.run(move |conn| {
        let case = cases::get_by_number(conn, &code, number, visibility)?;
        links::list(conn, case.id, visibility)
    });
    Ok(web::Json(links.await?.into()))
}

/// Link a case to another
///
/// `37/23` follows up `31/23`: POST to 37/23's links with `{"kind": "follows_up", "target":
/// "31/23"}`. The target may be a case not recorded yet (such as 53/22); the link points at it
/// as soon as it is recorded.
#[utoipa::path(
    tag = "links",
    params(("id" = uuid::Uuid, Path, description = "The id of the case the link goes from")),
    request_body(content = NewLink, example = json!({"kind": "follows_up", "target": "31/23", "note": "Operasjonalisering av vedtak 31/23"})),
    responses(
        (status = 201, description = "Linked", body = Link, headers(("Location" = String, description = "The link's URL"))),
        BadRequest, NotFound, Conflict, Gone, PayloadTooLarge, UnsupportedMediaType, Unprocessable
    )
)]
#[post("/cases/{id}/links")]
async fn create(
    Editor(actor): Editor,
    store: StoreData,
    id: web::Path<String>,
    body: JsonBody<NewLink>,
) -> Result<HttpResponse, ApiError> {
    let id: CaseId = path(&id)?;
    let new = body.into_inner();
    let link: Link = store
        .run(move |conn| writes::links::create(conn, id, new, &actor))
        .await?
        .into();
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/links/{}", link.id),
        ))
        .json(&link))
}

/// Get a link
#[utoipa::path(
    tag = "links",
    params(("id" = uuid::Uuid, Path, description = "The link's id")),
    responses((status = 200, description = "The link", body = Link), BadRequest, NotFound, Gone)
)]
#[get("/links/{id}")]
async fn get_one(
    Reader(visibility): Reader,
    store: StoreData,
    id: web::Path<String>,
) -> Result<web::Json<Link>, ApiError> {
    let id: LinkId = path(&id)?;
    Ok(web::Json(
        store
            .run(move |conn| links::get(conn, id, visibility))
            .await?
            .into(),
    ))
}

/// Remove a link
#[utoipa::path(
    tag = "links",
    params(("id" = uuid::Uuid, Path, description = "The link's id")),
    responses((status = 204, description = "Removed"), BadRequest, NotFound, Gone)
)]
#[delete("/links/{id}")]
async fn remove(
    Editor(actor): Editor,
    store: StoreData,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: LinkId = path(&id)?;
    store
        .run(move |conn| writes::links::delete(conn, id, &actor))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
