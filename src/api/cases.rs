//! `/api/v1/cases` and `/api/v1/committees/{code}/cases/{number}`

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::{Editor, Reader};
use super::etag::{IfMatch, OptionalIfMatch, tagged_json};
use super::pagination::{self, Page, PageRequest};
use super::params::{QueryParams, path};
use super::problem::{
    ApiError, BadRequest, Conflict, Gone, NotFound, PayloadTooLarge, PreconditionFailed,
    PreconditionRequired, Unprocessable, UnsupportedMediaType,
};
use super::types::{Case, CaseDetail, Chain, HistoryEntry};
use super::{JsonBody, StoreData, created};
use crate::domain::{CaseId, CaseNumber, CaseStatus, CommitteeCode, MeetingId};
use crate::store::cases::{self, CaseFilter, CaseKey};
use crate::store::chains;

use crate::writes;
use crate::writes::cases::{CaseChanges, NewCase};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(get_by_number)
        .service(chain)
        .service(update)
        .service(remove)
        .service(history);
}

/// Which cases to list, and which page.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CaseQuery {
    /// Only this committee's cases.
    #[param(value_type = Option<CommitteeCode>, example = "ASU")]
    pub committee: Option<CommitteeCode>,
    /// Only the cases of this meeting.
    #[param(value_type = Option<uuid::Uuid>)]
    pub meeting: Option<MeetingId>,
    /// Only cases numbered in this year (four digits).
    #[param(example = 2024)]
    pub year: Option<i32>,
    pub status: Option<CaseStatus>,
    /// For mirroring: only cases changed at or after this time (RFC 3339, UTC), deleted ones
    /// included as tombstones (`deleted_at` set), in the order of change. Needs a token.
    /// The other filters narrow the changes to the cases that match them as they are now: one
    /// that a change moved out of a filter is not listed again, so a complete mirror takes
    /// `committee` alone.
    #[param(value_type = Option<String>, format = DateTime, example = "2024-06-19T12:00:00Z")]
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Page size, 1 to 200; default 50.
    #[param(minimum = 1, maximum = 200)]
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
    Reader(visibility): Reader,
    store: StoreData,
    req: HttpRequest,
    QueryParams(query): QueryParams<CaseQuery>,
) -> Result<HttpResponse, ApiError> {
    if query.updated_since.is_some() {
        super::pagination::check_mirror(visibility)?;
    }
    let filter = CaseFilter {
        committee: query.committee,
        meeting: query.meeting,
        year: query.year,
        status: query.status,
        updated_since: query.updated_since.map(|t| t.naive_utc()),
        visibility,
        ..CaseFilter::default()
    };
    let request =
        PageRequest::<CaseKey>::new(query.limit, query.cursor.as_deref(), &format!("{filter:?}"))?;
    let (after, limit) = (request.after.clone(), request.limit);
    let page = store
        .run(move |conn| cases::list(conn, &filter, after.as_ref(), limit))
        .await?;
    let page: Page<Case> = request.page(page);
    Ok(pagination::respond(&req, page))
}

/// Record a case
///
/// The case goes on the agenda of the meeting; its committee is the meeting's. The number is
/// unique per committee and year (`9/24` and `09/24` are the same number). Links that named
/// this number before the case was recorded now point at it. Needs the editor role.
#[utoipa::path(
    tag = "cases",
    request_body(content = NewCase, example = json!({
        "committee": "ASU", "meeting_date": "2024-06-19", "number": "24/24",
        "title": "Status Handlingsplan", "responsible": ["Runar Asp"], "status": "decided"
    })),
    responses(
        (status = 201, description = "Recorded", body = Case, headers(
            ("Location" = String, description = "The case's URL"),
            ("ETag" = String, description = "The version, for If-Match"),
        )),
        BadRequest, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
    )
)]
#[post("/cases")]
async fn create(
    Editor(actor): Editor,
    store: StoreData,
    body: JsonBody<NewCase>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let case: Case = store
        .run(move |conn| writes::cases::create(conn, new, &actor))
        .await?
        .into();
    Ok(created(
        format!("/api/v1/cases/{}", case.id),
        case.version,
        &case,
    ))
}

/// Get a case with its decision points and links
#[utoipa::path(
    tag = "cases",
    params(("id" = uuid::Uuid, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The case", body = CaseDetail, headers(
            ("ETag" = String, description = "The case's version, for If-Match"),
        )),
        BadRequest, NotFound, Gone
    )
)]
#[get("/cases/{id}")]
async fn get_one(
    Reader(visibility): Reader,
    store: StoreData,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: CaseId = path(&id)?;
    let detail = store
        .run(move |conn| {
            let case = cases::get(conn, id, visibility)?;
            cases::detail(conn, case, visibility)
        })
        .await?;
    let detail = CaseDetail::from(detail);
    Ok(tagged_json(
        HttpResponse::Ok(),
        detail.case.version,
        &detail,
    ))
}

/// Get a case by committee and number
///
/// The number is written with a dash in the URL: `/api/v1/committees/ASU/cases/37-23` is case
/// 37/23 of ASU. A leading zero is optional.
#[utoipa::path(
    tag = "cases",
    params(
        ("code" = CommitteeCode, Path, description = "The committee's code", example = "ASU"),
        ("number" = String, Path, description = "The case number as NN-YY", pattern = r"^(0{0,3}[1-9]|0{0,2}[1-9]\d|0?[1-9]\d\d|[1-9]\d{3})-(\d{2}|20\d{2})$", example = "37-23"),
    ),
    responses(
        (status = 200, description = "The case", body = CaseDetail, headers(
            ("ETag" = String, description = "The case's version, for If-Match"),
        )),
        BadRequest, NotFound
    )
)]
#[get("/committees/{code}/cases/{number}")]
async fn get_by_number(
    Reader(visibility): Reader,
    store: StoreData,
    segments: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (code, number) = segments.into_inner();
    let code: CommitteeCode = path(&code)?;
    let number: CaseNumber = path(&number)?;
    let detail = store
        .run(move |conn| {
            let case = cases::get_by_number(conn, &code, number, visibility)?;
            cases::detail(conn, case, visibility)
        })
        .await?;
    let detail = CaseDetail::from(detail);
    Ok(tagged_json(
        HttpResponse::Ok(),
        detail.case.version,
        &detail,
    ))
}

/// The chain of a matter
///
/// Every case connected to this one through `follows_up` and `postponed_to` links, in either
/// direction and however far, ordered by meeting date, each with its meeting, status and
/// decision points with their status, and the links between them: the whole story of a
/// matter, such as UKP from 31/23 (06.09.23) to 37/23 (04.10.23), in one call.
#[utoipa::path(
    tag = "links",
    params(
        ("code" = CommitteeCode, Path, description = "The committee's code", example = "ASU"),
        ("number" = String, Path, description = "The case number as NN-YY", pattern = r"^(0{0,3}[1-9]|0{0,2}[1-9]\d|0?[1-9]\d\d|[1-9]\d{3})-(\d{2}|20\d{2})$", example = "31-23"),
    ),
    responses((status = 200, description = "The chain", body = Chain), BadRequest, NotFound)
)]
#[get("/committees/{code}/cases/{number}/chain")]
async fn chain(
    Reader(visibility): Reader,
    store: StoreData,
    segments: web::Path<(String, String)>,
) -> Result<web::Json<Chain>, ApiError> {
    let (code, number) = segments.into_inner();
    let code: CommitteeCode = path(&code)?;
    let number: CaseNumber = path(&number)?;
    Ok(web::Json(
        store
            .run(move |conn| chains::of_case(conn, &code, number, visibility))
            .await?
            .into(),
    ))
}

/// Change a case
///
/// A case can be renamed, renumbered, given another status, moved to another meeting of the
/// same committee, or exempted from public access. Send the case's `ETag` as `If-Match`; a
/// change against an older version is refused with 412. Needs the editor role.
#[utoipa::path(
    tag = "cases",
    params(
        ("id" = uuid::Uuid, Path, description = "The case's id"),
        ("If-Match" = String, Header, description = "The ETag of the case as last read", pattern = r#"^(W/)?"\d{1,9}(\.[0-9a-f]{16})?"$"#, example = "\"1\""),
    ),
    request_body(content = CaseChanges, example = json!({"status": "postponed"})),
    responses(
        (status = 200, description = "The changed case", body = Case, headers(
            ("ETag" = String, description = "The new version"),
        )),
        BadRequest, NotFound, Conflict, Gone, PreconditionFailed, PayloadTooLarge,
        UnsupportedMediaType, Unprocessable, PreconditionRequired
    )
)]
#[patch("/cases/{id}")]
async fn update(
    Editor(actor): Editor,
    IfMatch(version): IfMatch,
    store: StoreData,
    id: web::Path<String>,
    body: JsonBody<CaseChanges>,
) -> Result<HttpResponse, ApiError> {
    let id: CaseId = path(&id)?;
    let changes = body.into_inner();
    let case: Case = store
        .run(move |conn| writes::cases::update(conn, id, Some(version), changes, &actor))
        .await?
        .into();
    Ok(tagged_json(HttpResponse::Ok(), case.version, &case))
}

/// Delete a case
///
/// Only a case without decision points can be deleted; it leaves a tombstone and its history.
/// Its own links are removed with it; links to it keep naming it by number. `If-Match`, when
/// sent, must name the current version. Needs the editor role.
#[utoipa::path(
    tag = "cases",
    params(
        ("id" = uuid::Uuid, Path, description = "The case's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the case as last read; empty is as if not sent", pattern = r#"^((W/)?"\d{1,9}(\.[0-9a-f]{16})?")?$"#),
    ),
    responses((status = 204, description = "Deleted"), BadRequest, NotFound, Conflict, Gone, PreconditionFailed, PreconditionRequired)
)]
#[delete("/cases/{id}")]
async fn remove(
    Editor(actor): Editor,
    OptionalIfMatch(version): OptionalIfMatch,
    store: StoreData,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: CaseId = path(&id)?;
    store
        .run(move |conn| writes::cases::delete(conn, id, version, &actor))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The history of a case
///
/// Every change of the case and of the links it makes, oldest first: who, when, the fields
/// changed with their values before and after. A deleted case keeps it.
#[utoipa::path(
    tag = "cases",
    params(("id" = uuid::Uuid, Path, description = "The case's id")),
    responses((status = 200, description = "The history, oldest first", body = Vec<HistoryEntry>), BadRequest, NotFound)
)]
#[get("/cases/{id}/history")]
async fn history(
    Reader(visibility): Reader,
    store: StoreData,
    id: web::Path<String>,
) -> Result<web::Json<Vec<HistoryEntry>>, ApiError> {
    let id: CaseId = path(&id)?;
    Ok(web::Json(
        store
            .run(move |conn| cases::history(conn, id, visibility))
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}
