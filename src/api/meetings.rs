//! `/api/v1/meetings`

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
use super::types::{HistoryEntry, Meeting};
use super::{JsonBody, StoreData, created};
use crate::domain::{CalendarDate, CommitteeCode, MeetingId, MeetingStatus};

use crate::store::meetings::{self, MeetingFilter, MeetingKey};
use crate::writes;
use crate::writes::meetings::{MeetingChanges, NewMeeting};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update)
        .service(remove)
        .service(history);
}

/// Which meetings to list, and which page.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MeetingQuery {
    /// Only this committee's meetings.
    #[param(value_type = Option<CommitteeCode>, example = "ASU")]
    pub committee: Option<CommitteeCode>,
    /// Only meetings on or after this date.
    #[param(example = "2024-01-01")]
    pub from: Option<CalendarDate>,
    /// Only meetings on or before this date.
    #[param(example = "2024-12-31")]
    pub to: Option<CalendarDate>,
    pub status: Option<MeetingStatus>,
    /// For mirroring: only meetings changed at or after this time (RFC 3339, UTC), deleted
    /// ones included as tombstones (`deleted_at` set), in the order of change. Needs a token.
    /// The other filters narrow the changes to the meetings that match them as they are now: one
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

/// List meetings
///
/// Meetings by date, oldest first.
#[utoipa::path(
    tag = "meetings",
    params(MeetingQuery),
    responses((status = 200, description = "One page of meetings", body = Page<Meeting>), BadRequest)
)]
#[get("/meetings")]
async fn list(
    Reader(visibility): Reader,
    store: StoreData,
    req: HttpRequest,
    QueryParams(query): QueryParams<MeetingQuery>,
) -> Result<HttpResponse, ApiError> {
    if query.updated_since.is_some() {
        pagination::check_mirror(visibility)?;
    }
    let filter = MeetingFilter {
        committee: query.committee,
        from: query.from.map(CalendarDate::get),
        to: query.to.map(CalendarDate::get),
        status: query.status,
        updated_since: query.updated_since.map(|t| t.naive_utc()),
        visibility,
    };
    let request = PageRequest::<MeetingKey>::new(
        query.limit,
        query.cursor.as_deref(),
        &format!("{filter:?}"),
    )?;
    let (after, limit) = (request.after.clone(), request.limit);
    let page = store
        .run(move |conn| meetings::list(conn, &filter, after.as_ref(), limit))
        .await?;
    let page: Page<Meeting> = request.page(page);
    Ok(pagination::respond(&req, page))
}

/// Record a meeting
///
/// A committee holds at most one meeting on a date. Needs the editor role.
#[utoipa::path(
    tag = "meetings",
    request_body(content = NewMeeting, example = json!({
        "committee": "ASU", "date": "2024-06-19", "start_time": "13:00", "end_time": "17:00",
        "location": "1930 M11", "kind": "ordinary", "chair": "Ingjerd Astad",
        "minute_taker": "Karina Haus Steinshylla", "status": "held"
    })),
    responses(
        (status = 201, description = "Recorded", body = Meeting, headers(
            ("Location" = String, description = "The meeting's URL"),
            ("ETag" = String, description = "The version, for If-Match"),
        )),
        BadRequest, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
    )
)]
#[post("/meetings")]
async fn create(
    Editor(actor): Editor,
    store: StoreData,
    body: JsonBody<NewMeeting>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let meeting: Meeting = store
        .run(move |conn| writes::meetings::create(conn, new, &actor))
        .await?
        .into();
    Ok(created(
        format!("/api/v1/meetings/{}", meeting.id),
        meeting.version,
        &meeting,
    ))
}

/// Get a meeting
#[utoipa::path(
    tag = "meetings",
    params(("id" = uuid::Uuid, Path, description = "The meeting's id")),
    responses(
        (status = 200, description = "The meeting", body = Meeting, headers(
            ("ETag" = String, description = "The version, for If-Match"),
        )),
        BadRequest, NotFound, Gone
    )
)]
#[get("/meetings/{id}")]
async fn get_one(
    Reader(visibility): Reader,
    store: StoreData,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: MeetingId = path(&id)?;
    let meeting: Meeting = store
        .run(move |conn| meetings::get(conn, id, visibility))
        .await?
        .into();
    Ok(tagged_json(HttpResponse::Ok(), meeting.version, &meeting))
}

/// Change a meeting
///
/// Send the meeting's `ETag` as `If-Match`; a change against an older version is refused
/// with 412. Needs the editor role.
#[utoipa::path(
    tag = "meetings",
    params(
        ("id" = uuid::Uuid, Path, description = "The meeting's id"),
        ("If-Match" = String, Header, description = "The ETag of the meeting as last read", pattern = r#"^(W/)?"\d{1,9}(\.[0-9a-f]{16})?"$"#, example = "\"1\""),
    ),
    request_body(content = MeetingChanges, example = json!({"status": "held", "end_time": "17:00"})),
    responses(
        (status = 200, description = "The changed meeting", body = Meeting, headers(
            ("ETag" = String, description = "The new version"),
        )),
        BadRequest, NotFound, Conflict, Gone, PreconditionFailed, PayloadTooLarge,
        UnsupportedMediaType, Unprocessable, PreconditionRequired
    )
)]
#[patch("/meetings/{id}")]
async fn update(
    Editor(actor): Editor,
    IfMatch(version): IfMatch,
    store: StoreData,
    id: web::Path<String>,
    body: JsonBody<MeetingChanges>,
) -> Result<HttpResponse, ApiError> {
    let id: MeetingId = path(&id)?;
    let changes = body.into_inner();
    let meeting: Meeting = store
        .run(move |conn| writes::meetings::update(conn, id, Some(version), changes, &actor))
        .await?
        .into();
    Ok(tagged_json(HttpResponse::Ok(), meeting.version, &meeting))
}

/// Delete a meeting
///
/// Only a meeting with no cases can be deleted; it leaves a tombstone and its history.
/// `If-Match`, when sent, must name the current version. Needs the editor role.
#[utoipa::path(
    tag = "meetings",
    params(
        ("id" = uuid::Uuid, Path, description = "The meeting's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the meeting as last read; empty is as if not sent", pattern = r#"^((W/)?"\d{1,9}(\.[0-9a-f]{16})?")?$"#),
    ),
    responses((status = 204, description = "Deleted"), BadRequest, NotFound, Conflict, Gone, PreconditionFailed, PreconditionRequired)
)]
#[delete("/meetings/{id}")]
async fn remove(
    Editor(actor): Editor,
    OptionalIfMatch(version): OptionalIfMatch,
    store: StoreData,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: MeetingId = path(&id)?;
    store
        .run(move |conn| writes::meetings::delete(conn, id, version, &actor))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The history of a meeting
///
/// Every change of the meeting, oldest first; a deleted meeting keeps it.
#[utoipa::path(
    tag = "meetings",
    params(("id" = uuid::Uuid, Path, description = "The meeting's id")),
    responses((status = 200, description = "The history, oldest first", body = Vec<HistoryEntry>), BadRequest, NotFound)
)]
#[get("/meetings/{id}/history")]
async fn history(
    _reader: Reader,
    store: StoreData,
    id: web::Path<String>,
) -> Result<web::Json<Vec<HistoryEntry>>, ApiError> {
    let id: MeetingId = path(&id)?;
    Ok(web::Json(
        store
            .run(move |conn| meetings::history(conn, id))
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}
