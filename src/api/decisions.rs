//! `/api/v1/decisions`

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::pagination::{Page, PageRequest};
use super::params::{CommaList, QueryParams, path};
use super::problem::{
    ApiError, BadRequest, Conflict, NotFound, PayloadTooLarge, Unprocessable, UnsupportedMediaType,
};
use super::{JsonBody, StoreData, created};
use crate::domain::{
    CalendarDate, CaseId, CommitteeCode, DecisionId, DecisionKind, DecisionStatus, MeetingId,
};
use crate::store::decisions::{
    self, Decision, DecisionChanges, DecisionFilter, DecisionKey, DecisionSort, NewDecision,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update)
        .service(remove);
}

/// Which decision points to list, in which order, and which page. Filters combine with AND.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DecisionQuery {
    /// Statuses, comma-separated: any of open, in_progress, done, cancelled.
    #[param(value_type = Option<String>, example = "open,in_progress")]
    pub status: Option<CommaList<DecisionStatus>>,
    /// Kinds, comma-separated: any of orientation, approval, assignment, recommendation,
    /// postponement, scheduling, other.
    #[param(value_type = Option<String>, example = "assignment,recommendation")]
    pub kind: Option<CommaList<DecisionKind>>,
    /// An owner, by id, name or any alias in the owner registry, case-insensitive.
    #[param(example = "sekretariatet")]
    pub owner: Option<String>,
    /// Only this committee's points.
    #[param(value_type = Option<String>, example = "ASU")]
    pub committee: Option<CommitteeCode>,
    /// Only the points of this meeting's cases.
    #[param(value_type = Option<uuid::Uuid>)]
    pub meeting: Option<MeetingId>,
    /// Only the points of this case.
    #[param(value_type = Option<uuid::Uuid>)]
    pub case: Option<CaseId>,
    /// Deadline on or before this date.
    #[param(example = "2024-08-30")]
    pub due_before: Option<CalendarDate>,
    /// Deadline on or after this date.
    #[param(example = "2024-06-19")]
    pub due_after: Option<CalendarDate>,
    /// true: the deadline has passed (UTC date) and the point is open or in progress;
    /// false: all other points.
    pub overdue: Option<bool>,
    /// Text that the point's text, status note, case title or owners' names contain,
    /// case-insensitive (æ, ø and å included).
    #[param(example = "vedtakslogg")]
    pub q: Option<String>,
    /// The order; default `case`.
    #[param(inline)]
    pub sort: Option<DecisionSort>,
    /// Page size, 1 to 200; default 50.
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// List decision points
///
/// The log itself: decision points with their case number, meeting date and committee, so
/// that no second call is needed. `status=open,in_progress&owner=sekretariatet` is what the
/// secretariat still has to do; `overdue=true` what is late.
#[utoipa::path(
    tag = "decisions",
    params(DecisionQuery),
    responses(
        (status = 200, description = "One page of decision points", body = Page<Decision>),
        BadRequest, Unprocessable
    )
)]
#[get("/decisions")]
async fn list(
    store: StoreData,
    QueryParams(query): QueryParams<DecisionQuery>,
) -> Result<web::Json<Page<Decision>>, ApiError> {
    let filter = DecisionFilter {
        statuses: query.status.unwrap_or_default().0,
        kinds: query.kind.unwrap_or_default().0,
        owner: query.owner.filter(|o| !o.trim().is_empty()),
        committee: query.committee,
        meeting: query.meeting,
        case: query.case,
        due_before: query.due_before.map(CalendarDate::get),
        due_after: query.due_after.map(CalendarDate::get),
        overdue: query.overdue,
        q: query.q.filter(|q| !q.trim().is_empty()),
        sort: query.sort.unwrap_or_default(),
    };
    let request = PageRequest::<DecisionKey>::new(
        query.limit,
        query.cursor.as_deref(),
        &format!("{filter:?}"),
    )?;
    let (after, limit) = (request.after.clone(), request.limit);
    let page = store
        .run(move |conn| decisions::list(conn, &filter, after.as_ref(), limit))
        .await?;
    Ok(web::Json(request.page(page)))
}

/// Record a decision point
///
/// Owners are named as in the documents ("Sekretariatet", "Analysegruppa") and resolved
/// through the owner registry; an unknown owner is refused with 422. Orientation and approval
/// points are closed (`done`) when adopted and cannot be open.
#[utoipa::path(
    tag = "decisions",
    request_body(content = NewDecision, example = json!({
        "case_id": "5b0f3c7e-2d8a-4f0e-8a8e-9c1d2e3f4a5b",
        "position": "2",
        "text": "ASU ber sekretariatet utarbeide en vedtakslogg som benyttes i det videre arbeidet i helsefelleskapet, som holdes oppdatert fortløpende og kan fremlegges ved ønske/behov.",
        "kind": "assignment",
        "owners": [{"owner": "Sekretariatet", "responsible": true}],
        "deadline": "2024-08-30"
    })),
    responses(
        (status = 201, description = "Recorded", body = Decision, headers(("Location" = String, description = "The decision point's URL"))),
        BadRequest, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
    )
)]
#[post("/decisions")]
async fn create(store: StoreData, body: JsonBody<NewDecision>) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let decision = store.run(move |conn| decisions::create(conn, new)).await?;
    Ok(created(
        format!("/api/v1/decisions/{}", decision.id),
        &decision,
    ))
}

/// Get a decision point
#[utoipa::path(
    tag = "decisions",
    params(("id" = uuid::Uuid, Path, description = "The decision point's id")),
    responses((status = 200, description = "The decision point", body = Decision), BadRequest, NotFound)
)]
#[get("/decisions/{id}")]
async fn get_one(store: StoreData, id: web::Path<String>) -> Result<web::Json<Decision>, ApiError> {
    let id: DecisionId = path(&id)?;
    Ok(web::Json(
        store.run(move |conn| decisions::get(conn, id)).await?,
    ))
}

/// Change a decision point
///
/// Sets status, note, owners, deadline, text, kind or position. Orientation and approval
/// points cannot be `open` or `in_progress`; reclassifying a point to such a kind closes it,
/// and reclassifying a closed orientation or approval point to a kind that needs follow-up
/// opens it, unless the request sets the status itself.
#[utoipa::path(
    tag = "decisions",
    params(("id" = uuid::Uuid, Path, description = "The decision point's id")),
    request_body(content = DecisionChanges, example = json!({"status": "in_progress", "status_note": "Første utkast lagt fram for AU"})),
    responses(
        (status = 200, description = "The changed decision point", body = Decision),
        BadRequest, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
    )
)]
#[patch("/decisions/{id}")]
async fn update(
    store: StoreData,
    id: web::Path<String>,
    body: JsonBody<DecisionChanges>,
) -> Result<web::Json<Decision>, ApiError> {
    let id: DecisionId = path(&id)?;
    let changes = body.into_inner();
    Ok(web::Json(
        store
            .run(move |conn| decisions::update(conn, id, changes))
            .await?,
    ))
}

/// Delete a decision point
#[utoipa::path(
    tag = "decisions",
    params(("id" = uuid::Uuid, Path, description = "The decision point's id")),
    responses((status = 204, description = "Deleted"), BadRequest, NotFound)
)]
#[delete("/decisions/{id}")]
async fn remove(store: StoreData, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id: DecisionId = path(&id)?;
    store.run(move |conn| decisions::delete(conn, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
