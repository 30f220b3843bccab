//! `/api/v1/meetings`

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
use crate::domain::{CalendarDate, CommitteeCode, MeetingId, MeetingStatus};
use crate::store::meetings::{
    self, Meeting, MeetingChanges, MeetingFilter, MeetingKey, NewMeeting,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update)
        .service(remove);
}

/// Which meetings to list, and which page.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MeetingQuery {
    /// Only this committee's meetings.
    #[param(value_type = Option<String>, example = "ASU")]
    pub committee: Option<CommitteeCode>,
    /// Only meetings on or after this date.
    #[param(example = "2024-01-01")]
    pub from: Option<CalendarDate>,
    /// Only meetings on or before this date.
    #[param(example = "2024-12-31")]
    pub to: Option<CalendarDate>,
    pub status: Option<MeetingStatus>,
    /// Page size, 1 to 200; default 50.
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
    store: StoreData,
    QueryParams(query): QueryParams<MeetingQuery>,
) -> Result<web::Json<Page<Meeting>>, ApiError> {
    let filter = MeetingFilter {
        committee: query.committee,
        from: query.from.map(CalendarDate::get),
        to: query.to.map(CalendarDate::get),
        status: query.status,
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
    Ok(web::Json(request.page(page)))
}

/// Record a meeting
///
/// A committee holds at most one meeting on a date.
#[utoipa::path(
    tag = "meetings",
    request_body(content = NewMeeting, example = json!({
        "committee": "ASU", "date": "2024-06-19", "start_time": "13:00", "end_time": "17:00",
        "location": "1930 M11", "kind": "ordinary", "chair": "Ingjerd Astad",
        "minute_taker": "Karina Haus Steinshylla", "status": "held"
    })),
    responses(
        (status = 201, description = "Recorded", body = Meeting, headers(("Location" = String, description = "The meeting's URL"))),
        BadRequest, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
    )
)]
#[post("/meetings")]
async fn create(store: StoreData, body: JsonBody<NewMeeting>) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let meeting = store.run(move |conn| meetings::create(conn, new)).await?;
    Ok(created(
        format!("/api/v1/meetings/{}", meeting.id),
        &meeting,
    ))
}

/// Get a meeting
#[utoipa::path(
    tag = "meetings",
    params(("id" = uuid::Uuid, Path, description = "The meeting's id")),
    responses((status = 200, description = "The meeting", body = Meeting), BadRequest, NotFound)
)]
#[get("/meetings/{id}")]
async fn get_one(store: StoreData, id: web::Path<String>) -> Result<web::Json<Meeting>, ApiError> {
    let id: MeetingId = path(&id)?;
    Ok(web::Json(
        store.run(move |conn| meetings::get(conn, id)).await?,
    ))
}

/// Change a meeting
#[utoipa::path(
    tag = "meetings",
    params(("id" = uuid::Uuid, Path, description = "The meeting's id")),
    request_body(content = MeetingChanges, example = json!({"status": "held", "end_time": "17:00"})),
    responses(
        (status = 200, description = "The changed meeting", body = Meeting),
        BadRequest, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
    )
)]
#[patch("/meetings/{id}")]
async fn update(
    store: StoreData,
    id: web::Path<String>,
    body: JsonBody<MeetingChanges>,
) -> Result<web::Json<Meeting>, ApiError> {
    let id: MeetingId = path(&id)?;
    let changes = body.into_inner();
    Ok(web::Json(
        store
            .run(move |conn| meetings::update(conn, id, changes))
            .await?,
    ))
}

/// Delete a meeting
///
/// Only a meeting with no cases can be deleted.
#[utoipa::path(
    tag = "meetings",
    params(("id" = uuid::Uuid, Path, description = "The meeting's id")),
    responses((status = 204, description = "Deleted"), BadRequest, NotFound, Conflict)
)]
#[delete("/meetings/{id}")]
async fn remove(store: StoreData, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id: MeetingId = path(&id)?;
    store.run(move |conn| meetings::delete(conn, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
