//! `/api/v1/decisions`

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::{Editor, Reader};
use super::etag::{IfMatch, OptionalIfMatch, tagged_json};
use super::pagination::{self, Page, PageRequest};
use super::params::{CommaList, QueryParams, path};
use super::problem::{
    ApiError, BadRequest, Conflict, Gone, NotFound, PayloadTooLarge, PreconditionFailed,
    PreconditionRequired, Unprocessable, UnsupportedMediaType,
};
use super::types::{Decision, HistoryEntry};
use super::{JsonBody, StoreData, created};
use crate::domain::{
    CalendarDate, CaseId, CommitteeCode, DecisionId, DecisionKind, DecisionStatus, MeetingId,
};
use crate::store::decisions::{self, DecisionFilter, DecisionKey, DecisionSort};
use crate::writes;
use crate::writes::decisions::{DecisionChanges, NewDecision};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update)
        .service(remove)
        .service(history);
}

/// Which decision points to list, in which order, and which page. Filters combine with AND.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DecisionQuery {
    /// Statuses, comma-separated: any of open, in_progress, done, cancelled.
    #[param(value_type = Option<String>, example = "open,in_progress", pattern = r"^ *(proposed|open|in_progress|done|cancelled)( *, *(proposed|open|in_progress|done|cancelled))* *$")]
    pub status: Option<CommaList<DecisionStatus>>,
    /// Kinds, comma-separated: any of orientation, approval, assignment, recommendation,
    /// postponement, scheduling, other.
    #[param(value_type = Option<String>, example = "assignment,recommendation", pattern = r"^ *(orientation|approval|assignment|recommendation|postponement|scheduling|other)( *, *(orientation|approval|assignment|recommendation|postponement|scheduling|other))* *$")]
    pub kind: Option<CommaList<DecisionKind>>,
    /// An owner, by id, name or any alias in the owner registry, case-insensitive.
    #[param(example = "sekretariatet")]
    pub owner: Option<String>,
    /// Only this committee's points.
    #[param(value_type = Option<CommitteeCode>, example = "ASU")]
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
    /// Words to search for in the point's text, status note, case title and owners' names,
    /// with each backend's full-text engine: case-insensitive (æ, ø and å included), each word
    /// also as the start of a longer one ("e-læring" finds "e-læringskurs"), and on PostgreSQL
    /// in its Norwegian forms ("kommune" finds "kommunene"). Results come best match first,
    /// each with a `search.snippet` of the words found.
    #[param(example = "vedtakslogg")]
    pub q: Option<String>,
    /// Only points of meetings on or after this date.
    #[param(value_type = Option<CalendarDate>, example = "2024-01-01")]
    pub meeting_from: Option<CalendarDate>,
    /// Only points of meetings on or before this date.
    #[param(value_type = Option<CalendarDate>, example = "2024-12-31")]
    pub meeting_to: Option<CalendarDate>,
    /// For mirroring the log: only points changed at or after this time (RFC 3339, UTC),
    /// deleted points included as tombstones (`deleted_at` set), in the order of change
    /// (`sort=updated`, unless `sort` names another). Poll with the `updated_at` of the last
    /// item seen: the items at that instant come again, so keep the highest `version` of each
    /// id. Needs a token. The other filters narrow the changes to the points that match them
    /// as they are now: a point that a change moved out of a filter is not listed again, so
    /// a complete mirror takes `committee` alone.
    #[param(value_type = Option<String>, format = DateTime, example = "2024-06-19T12:00:00Z")]
    pub updated_since: Option<DateTime<Utc>>,
    /// The order; default `case`, `relevance` with `q`, or `updated` with `updated_since`.
    /// `relevance` without `q` is the default order.
    #[param(inline)]
    pub sort: Option<DecisionSort>,
    /// Page size, 1 to 200; default 50.
    #[param(minimum = 1, maximum = 200)]
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
        (status = 200, description = "One page of decision points", body = Page<Decision>, headers(
            ("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Of this answer; send it as If-None-Match to get 304 while nothing changed"),
        )),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        BadRequest, Unprocessable
    )
)]
#[get("/decisions")]
async fn list(
    store: StoreData,
    Reader(visibility): Reader,
    req: HttpRequest,
    QueryParams(query): QueryParams<DecisionQuery>,
) -> Result<HttpResponse, ApiError> {
    if query.updated_since.is_some() {
        pagination::check_mirror(visibility)?;
    }
    let searches = query.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let sort = match (query.sort, query.updated_since) {
        // Without words every point is as relevant as the next: the default order.
        (Some(DecisionSort::Relevance), _) if !searches => DecisionSort::Case,
        (Some(sort), _) => sort,
        (None, Some(_)) => DecisionSort::Updated,
        (None, None) if searches => DecisionSort::Relevance,
        (None, None) => DecisionSort::Case,
    };
    let filter = DecisionFilter {
        statuses: query.status.unwrap_or_default().0,
        kinds: query.kind.unwrap_or_default().0,
        owner: query.owner.filter(|o| !o.trim().is_empty()),
        committee: query.committee,
        meeting: query.meeting,
        case: query.case,
        cases: Vec::new(),
        due_before: query.due_before.map(CalendarDate::get),
        due_after: query.due_after.map(CalendarDate::get),
        overdue: query.overdue,
        q: query.q.filter(|q| !q.trim().is_empty()),
        meeting_from: query.meeting_from.map(CalendarDate::get),
        meeting_to: query.meeting_to.map(CalendarDate::get),
        updated_since: query.updated_since.map(|t| t.naive_utc()),
        sort,
        visibility,
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
    let page: Page<Decision> = request.page(page);
    Ok(pagination::respond(&req, page))
}

/// Record a decision point
///
/// Owners are named as in the documents ("Sekretariatet", "Analysegruppa") and resolved
/// through the owner registry; an unknown owner is refused with 422. Orientation and approval
/// points are closed (`done`) when adopted and cannot be open. Needs the editor role.
#[utoipa::path(
    tag = "decisions",
    request_body(content = NewDecision, example = json!({
        "committee": "ASU",
        "case_number": "24/24",
        "position": "2",
        "text": "ASU ber sekretariatet utarbeide en vedtakslogg som benyttes i det videre arbeidet i helsefelleskapet, som holdes oppdatert fortløpende og kan fremlegges ved ønske/behov.",
        "kind": "assignment",
        "owners": [{"owner": "Sekretariatet", "responsible": true}],
        "deadline": "2024-08-30"
    })),
    responses(
        (status = 201, description = "Recorded", body = Decision, headers(
            ("Location" = String, description = "The decision point's URL"),
            ("ETag" = String, description = "The version, for If-Match"),
        )),
        BadRequest, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
    )
)]
#[post("/decisions")]
async fn create(
    Editor(actor): Editor,
    store: StoreData,
    body: JsonBody<NewDecision>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let decision: Decision = store
        .run(move |conn| writes::decisions::create(conn, new, &actor))
        .await?
        .into();
    Ok(created(
        format!("/api/v1/decisions/{}", decision.id),
        decision.version,
        &decision,
    ))
}

/// Get a decision point
#[utoipa::path(
    tag = "decisions",
    params(("id" = uuid::Uuid, Path, description = "The decision point's id")),
    responses(
        (status = 200, description = "The decision point", body = Decision, headers(
            ("ETag" = String, description = "The version, for If-Match"),
        )),
        BadRequest, NotFound, Gone
    )
)]
#[get("/decisions/{id}")]
async fn get_one(
    Reader(visibility): Reader,
    store: StoreData,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: DecisionId = path(&id)?;
    let decision: Decision = store
        .run(move |conn| decisions::get(conn, id, visibility))
        .await?
        .into();
    Ok(tagged_json(HttpResponse::Ok(), decision.version, &decision))
}

/// Change a decision point
///
/// Sets status, note, owners, deadline, text, kind, position or public access. Send the
/// point's `ETag` as `If-Match`: a change against an older version is refused with 412, so
/// that two editors never overwrite each other unseen. Needs the editor role.
///
/// Status rules:
/// - any status can follow any other, but `cancelled` needs a `status_note` saying why, and so
///   does reopening (to `open` or `in_progress`) a point that is `done` or `cancelled`;
/// - orientation and approval points cannot be `open` or `in_progress`; reclassifying a point
///   to such a kind closes it (`done`), and reclassifying a closed orientation or approval
///   point to a kind that needs follow-up opens it, unless the request sets the status;
/// - `evidence` cites where the change was reported, a case (`{"case": "20/24"}`) or a
///   meeting (`{"meeting_date": "2024-08-30"}`) in the log; it stays on the point until the
///   next status change (or `"evidence": null` clears it), and in the history for good.
///
/// Every change is recorded in the point's history, with who made it, when, the fields
/// changed, and the comment (`comment`, or the new `status_note`).
#[utoipa::path(
    tag = "decisions",
    params(
        ("id" = uuid::Uuid, Path, description = "The decision point's id"),
        ("If-Match" = String, Header, description = "The ETag of the point as last read, such as \"3\"", pattern = r#"^(W/)?"\d{1,9}(\.[0-9a-f]{16})?"$"#, example = "\"3\""),
    ),
    request_body(content = DecisionChanges, example = json!({
        "status": "done", "status_note": "Vedtaksloggen er tatt i bruk",
        "evidence": {"case": "20/24"}
    })),
    responses(
        (status = 200, description = "The changed decision point", body = Decision, headers(
            ("ETag" = String, description = "The new version, for the next If-Match"),
        )),
        BadRequest, NotFound, Conflict, Gone, PreconditionFailed, PayloadTooLarge,
        UnsupportedMediaType, Unprocessable, PreconditionRequired
    )
)]
#[patch("/decisions/{id}")]
async fn update(
    Editor(actor): Editor,
    IfMatch(version): IfMatch,
    store: StoreData,
    id: web::Path<String>,
    body: JsonBody<DecisionChanges>,
) -> Result<HttpResponse, ApiError> {
    let id: DecisionId = path(&id)?;
    let changes = body.into_inner();
    let decision: Decision = store
        .run(move |conn| writes::decisions::update(conn, id, Some(version), changes, &actor))
        .await?
        .into();
    Ok(tagged_json(HttpResponse::Ok(), decision.version, &decision))
}

/// Delete a decision point
///
/// Leaves a tombstone: the point is gone from lists and answers 410, and its history remains.
/// `If-Match`, when sent, must name the current version. Needs the editor role.
#[utoipa::path(
    tag = "decisions",
    params(
        ("id" = uuid::Uuid, Path, description = "The decision point's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the point as last read; empty is as if not sent", pattern = r#"^((W/)?"\d{1,9}(\.[0-9a-f]{16})?")?$"#),
    ),
    responses((status = 204, description = "Deleted"), BadRequest, NotFound, Gone, PreconditionFailed, PreconditionRequired)
)]
#[delete("/decisions/{id}")]
async fn remove(
    Editor(actor): Editor,
    OptionalIfMatch(version): OptionalIfMatch,
    store: StoreData,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: DecisionId = path(&id)?;
    store
        .run(move |conn| writes::decisions::delete(conn, id, version, &actor))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The history of a decision point
///
/// Every change of the point, oldest first: who (the token's name), when, the fields changed
/// with their values before and after, the comment, and the evidence cited. Nothing can edit
/// or remove it; a deleted point keeps it.
#[utoipa::path(
    tag = "decisions",
    params(("id" = uuid::Uuid, Path, description = "The decision point's id")),
    responses((status = 200, description = "The history, oldest first", body = Vec<HistoryEntry>), BadRequest, NotFound)
)]
#[get("/decisions/{id}/history")]
async fn history(
    Reader(visibility): Reader,
    store: StoreData,
    id: web::Path<String>,
) -> Result<web::Json<Vec<HistoryEntry>>, ApiError> {
    let id: DecisionId = path(&id)?;
    let entries = store
        .run(move |conn| decisions::history(conn, id, visibility))
        .await?;
    Ok(web::Json(entries.into_iter().map(Into::into).collect()))
}
