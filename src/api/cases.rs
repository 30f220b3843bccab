//! `/api/v1/cases` and `/api/v1/committees/{code}/cases/{number}`

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::pagination::{Page, PageRequest};
use super::params::{QueryParams, path};
use super::problem::{
    ApiError, BadRequest, Conflict, NotFound, PayloadTooLarge, Unprocessable, UnsupportedMediaType,
};
use super::{JsonBody, StoreData, created};
use crate::domain::{CaseId, CaseNumber, CaseStatus, CommitteeCode, MeetingId};
use crate::store::cases::{self, Case, CaseChanges, CaseDetail, CaseFilter, CaseKey, NewCase};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(get_by_number)
        .service(update)
        .service(remove);
}

/// Which cases to list, and which page.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CaseQuery {
    /// Only this committee's cases.
    #[param(value_type = Option<String>, example = "ASU")]
    pub committee: Option<CommitteeCode>,
    /// Only the cases of this meeting.
    #[param(value_type = Option<uuid::Uuid>)]
    pub meeting: Option<MeetingId>,
    /// Only cases numbered in this year (four digits).
    #[param(example = 2024)]
    pub year: Option<i32>,
    pub status: Option<CaseStatus>,
    /// Page size, 1 to 200; default 50.
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// List cases
///
/// Cases by committee and number.
#[utoipa::path(
    tag = "cases",
    params(CaseQuery),
    responses((status = 200, description = "One page of cases", body = Page<Case>), BadRequest)
)]
#[get("/cases")]
async fn list(
    store: StoreData,
    QueryParams(query): QueryParams<CaseQuery>,
) -> Result<web::Json<Page<Case>>, ApiError> {
    let filter = CaseFilter {
        committee: query.committee,
        meeting: query.meeting,
        year: query.year,
        status: query.status,
    };
    let request =
        PageRequest::<CaseKey>::new(query.limit, query.cursor.as_deref(), &format!("{filter:?}"))?;
    let (after, limit) = (request.after.clone(), request.limit);
    let page = store
        .run(move |conn| cases::list(conn, &filter, after.as_ref(), limit))
        .await?;
    Ok(web::Json(request.page(page)))
}

/// Record a case
///
/// The case goes on the agenda of the meeting; its committee is the meeting's. The number is
/// unique per committee and year (`9/24` and `09/24` are the same number). Links that named
/// this number before the case was recorded now point at it.
#[utoipa::path(
    tag = "cases",
    request_body(content = NewCase, example = json!({
        "meeting_id": "0d5c3c1e-5f7e-4a51-9a39-2f1b6f0c2a10", "number": "24/24",
        "title": "Status Handlingsplan", "responsible": ["Runar Asp"], "status": "decided"
    })),
    responses(
        (status = 201, description = "Recorded", body = Case, headers(("Location" = String, description = "The case's URL"))),
        BadRequest, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
    )
)]
#[post("/cases")]
async fn create(store: StoreData, body: JsonBody<NewCase>) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let case = store.run(move |conn| cases::create(conn, new)).await?;
    Ok(created(format!("/api/v1/cases/{}", case.id), &case))
}

/// Get a case with its decision points and links
#[utoipa::path(
    tag = "cases",
    params(("id" = uuid::Uuid, Path, description = "The case's id")),
    responses((status = 200, description = "The case", body = CaseDetail), BadRequest, NotFound)
)]
#[get("/cases/{id}")]
async fn get_one(
    store: StoreData,
    id: web::Path<String>,
) -> Result<web::Json<CaseDetail>, ApiError> {
    let id: CaseId = path(&id)?;
    Ok(web::Json(
        store
            .run(move |conn| cases::get(conn, id).and_then(|case| cases::detail(conn, case)))
            .await?,
    ))
}

/// Get a case by committee and number
///
/// The number is written with a dash in the URL: `/api/v1/committees/ASU/cases/37-23` is case
/// 37/23 of ASU. A leading zero is optional.
#[utoipa::path(
    tag = "cases",
    params(
        ("code" = String, Path, description = "The committee's code", example = "ASU"),
        ("number" = String, Path, description = "The case number as NN-YY", example = "37-23"),
    ),
    responses((status = 200, description = "The case", body = CaseDetail), BadRequest, NotFound)
)]
#[get("/committees/{code}/cases/{number}")]
async fn get_by_number(
    store: StoreData,
    segments: web::Path<(String, String)>,
) -> Result<web::Json<CaseDetail>, ApiError> {
    let (code, number) = segments.into_inner();
    let code: CommitteeCode = path(&code)?;
    let number: CaseNumber = path(&number)?;
    let detail = store.run(move |conn| {
        cases::get_by_number(conn, &code, number).and_then(|case| cases::detail(conn, case))
    });
    Ok(web::Json(detail.await?))
}

/// Change a case
///
/// A case can be renamed, renumbered, given another status, or moved to another meeting of
/// the same committee.
#[utoipa::path(
    tag = "cases",
    params(("id" = uuid::Uuid, Path, description = "The case's id")),
    request_body(content = CaseChanges, example = json!({"status": "postponed"})),
    responses(
        (status = 200, description = "The changed case", body = Case),
        BadRequest, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
    )
)]
#[patch("/cases/{id}")]
async fn update(
    store: StoreData,
    id: web::Path<String>,
    body: JsonBody<CaseChanges>,
) -> Result<web::Json<Case>, ApiError> {
    let id: CaseId = path(&id)?;
    let changes = body.into_inner();
    Ok(web::Json(
        store
            .run(move |conn| cases::update(conn, id, changes))
            .await?,
    ))
}

/// Delete a case
///
/// Only a case without decision points can be deleted. Its own links go with it; links to it
/// keep naming it by number.
#[utoipa::path(
    tag = "cases",
    params(("id" = uuid::Uuid, Path, description = "The case's id")),
    responses((status = 204, description = "Deleted"), BadRequest, NotFound, Conflict)
)]
#[delete("/cases/{id}")]
async fn remove(store: StoreData, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id: CaseId = path(&id)?;
    store.run(move |conn| cases::delete(conn, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
