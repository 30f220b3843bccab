//! AU's questions: `/api/v1/stats`, `/api/v1/committees/{code}/follow-up`, and the calendar
//! feed `/api/v1/calendar.ics`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use actix_web::{HttpResponse, get, web};
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::StoreData;
use super::auth::Reader;
use super::etag::{self, WholeBodyTag};
use super::pagination::{self, PageRequest, next_url};
use super::params::{QueryParams, path};
use super::problem::{ApiError, BadRequest, NotFound, Unprocessable};
use super::types::{FollowUpList, Stats};
use crate::domain::{CalendarDate, CommitteeCode};
use crate::report::log::{self, Report, ReportForm, ReportHead, ReportWriter};
use crate::report::{ical, stream};
use crate::store::overview::{self, DeadlineFilter, ReportFilter, ReportPart, StatsFilter};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(stats)
        .service(follow_up)
        .service(calendar)
        .service(report);
}

/// The form of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    Json,
    Csv,
    Html,
}

/// The form of the follow-up list: it has no CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpFormat {
    Json,
    Html,
}

/// Which part of the log to report, and in which form.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// Only this committee's points.
    #[param(value_type = Option<CommitteeCode>, example = "ASU")]
    pub committee: Option<CommitteeCode>,
    /// Only meetings on or after this date.
    #[param(value_type = Option<CalendarDate>, example = "2024-01-01")]
    pub from: Option<CalendarDate>,
    /// Only meetings on or before this date.
    #[param(value_type = Option<CalendarDate>, example = "2024-12-31")]
    pub to: Option<CalendarDate>,
    /// `json`, `csv` or `html`; without it the `Accept` header decides (text/csv, text/html),
    /// and JSON is the default.
    #[param(inline)]
    pub format: Option<ReportFormat>,
}

/// The log as a report
///
/// The decision log "presented on request": every decision point of a committee and period,
/// grouped by meeting and case, with owner, deadline, status and latest note. As JSON; as CSV
/// that opens correctly in Norwegian Excel (UTF-8 with BOM, semicolons, dates as dd.mm.yyyy);
/// or as a printable HTML page in Norwegian, fit to hand out at a meeting.
#[utoipa::path(
    tag = "overview",
    params(ReportQuery),
    responses(
        (status = 200, description = "The report", content(
            (Report = "application/json"),
            (String = "text/csv", example = "\u{feff}Møtedato;Utvalg;Sak;Sakstittel;Punkt;Vedtakspunkt;Type;Ansvarlig;Frist;Status;Forfalt;Siste merknad"),
            (String = "text/html"),
        )),
        BadRequest
    )
)]
#[get("/report")]
async fn report(
    Reader(visibility): Reader,
    store: StoreData,
    req: actix_web::HttpRequest,
    QueryParams(query): QueryParams<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let format = query.format.unwrap_or_else(|| {
        let accept = req
            .headers()
            .get(actix_web::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if accept.contains("text/csv") {
            ReportFormat::Csv
        } else if accept.contains("text/html") {
            ReportFormat::Html
        } else {
            ReportFormat::Json
        }
    });
    let head = ReportHead {
        committee: query.committee.clone(),
        from: query.from.map(CalendarDate::get),
        to: query.to.map(CalendarDate::get),
        generated_at: Utc::now(),
    };
    let filter = ReportFilter {
        committee: query.committee,
        from: head.from,
        to: head.to,
        visibility,
    };
    let form = match format {
        ReportFormat::Json => ReportForm::Json,
        ReportFormat::Csv => ReportForm::Csv,
        ReportFormat::Html => ReportForm::Html,
    };
    // Written page by page as it is read, in one read transaction: one snapshot of the log,
    // never more than a page of points in memory. (The ETag middleware still gathers the
    // body to hash it.)
    let body = stream::stream(&store, move |conn, sink| {
        let mut writer = ReportWriter::new(form, head);
        overview::report_pages(conn, &filter, |part| {
            match part {
                ReportPart::Counts(counts) => writer.start(sink.buffer(), &counts),
                ReportPart::Points(points) => {
                    for point in points {
                        writer.point(sink.buffer(), point);
                        sink.flush_full()?;
                    }
                }
            }
            Ok(())
        })?;
        writer.finish(sink.buffer());
        sink.flush_full()
    })
    .await?;
    let mut response = HttpResponse::Ok();
    response.insert_header((actix_web::http::header::VARY, "Accept"));
    Ok(match format {
        ReportFormat::Json => response.content_type(mime::APPLICATION_JSON).body(body),
        ReportFormat::Csv => response
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                "attachment; filename=\"vedtakslogg.csv\"",
            ))
            .body(body),
        ReportFormat::Html => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(body),
    })
}

/// Which decision points to count.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// Only this committee's points.
    #[param(value_type = Option<CommitteeCode>, example = "ASU")]
    pub committee: Option<CommitteeCode>,
    /// Only points adopted at meetings on or after this date.
    #[param(value_type = Option<CalendarDate>, example = "2024-01-01")]
    pub from: Option<CalendarDate>,
    /// Only points adopted at meetings on or before this date.
    #[param(value_type = Option<CalendarDate>, example = "2024-12-31")]
    pub to: Option<CalendarDate>,
    /// How many days ahead `due_soon` looks; default 30, at most 366.
    #[param(example = 30, minimum = 0, maximum = 366)]
    pub due_within: Option<u32>,
}

/// Counts for AU's dashboard
///
/// Decision points by status, by owner and by meeting, with how many are overdue and how many
/// are due within `due_within` days, for a committee and period, in one call.
#[utoipa::path(
    tag = "overview",
    params(StatsQuery),
    responses((status = 200, description = "The counts", body = Stats), BadRequest)
)]
#[get("/stats")]
async fn stats(
    Reader(visibility): Reader,
    store: StoreData,
    rendered: web::Data<RenderedStats>,
    QueryParams(query): QueryParams<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let due_within_days = query.due_within.unwrap_or(30);
    if due_within_days > 366 {
        return Err(ApiError::BadRequest("due_within: at most 366 days".into()));
    }
    let filter = StatsFilter {
        committee: query.committee,
        from: query.from.map(CalendarDate::get),
        to: query.to.map(CalendarDate::get),
        due_within_days,
        visibility,
    };
    let kept = store.stats(filter.clone()).await?;
    let (body, tag) = rendered.body_of(filter, kept)?;
    let mut response = HttpResponse::Ok();
    response
        .content_type(mime::APPLICATION_JSON)
        .insert_header((actix_web::http::header::ETAG, tag.clone()));
    let mut response = response.body(body);
    response.extensions_mut().insert(WholeBodyTag(tag));
    Ok(response)
}

/// The JSON of the kept dashboard counts, rendered once for each answer the store keeps (see
/// [`crate::store::Store::stats`]) instead of at every request: at 1M points the answer of the
/// whole log lists 4,000 meetings (785 kB), and making and hashing its JSON cost more than
/// sending it. One per worker.
#[derive(Default)]
pub struct RenderedStats {
    bodies: Mutex<HashMap<StatsFilter, Rendered>>,
}

struct Rendered {
    /// The store's answer this was rendered from: while the store gives the same one back,
    /// nothing changed.
    from: Arc<overview::Stats>,
    body: web::Bytes,
    tag: String,
}

impl RenderedStats {
    /// Questions kept at most, as the store's [`crate::store::kept::KeptAnswers`].
    const MAX_QUESTIONS: usize = 256;

    fn body_of(
        &self,
        filter: StatsFilter,
        kept: Arc<overview::Stats>,
    ) -> Result<(web::Bytes, String), ApiError> {
        let mut bodies = self.bodies.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(hit) = bodies.get(&filter).filter(|r| Arc::ptr_eq(&r.from, &kept)) {
            return Ok((hit.body.clone(), hit.tag.clone()));
        }
        let body = web::Bytes::from(
            serde_json::to_vec(&Stats::from(overview::Stats::clone(&kept)))
                .map_err(|e| ApiError::Internal(Box::new(e)))?,
        );
        let tag = etag::body_tag(&body);
        if bodies.len() >= Self::MAX_QUESTIONS && !bodies.contains_key(&filter) {
            bodies.clear();
        }
        bodies.insert(
            filter,
            Rendered {
                from: kept,
                body: body.clone(),
                tag: tag.clone(),
            },
        );
        Ok((body, tag))
    }
}

/// The meeting the follow-up list is for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FollowUpQuery {
    /// The date of the meeting; default today (UTC).
    #[param(value_type = Option<CalendarDate>, example = "2024-08-30")]
    pub meeting_date: Option<CalendarDate>,
    /// `json` (default) or `html`: a printable page in Norwegian to bring to the meeting.
    /// Without it the `Accept` header decides.
    #[param(inline)]
    pub format: Option<FollowUpFormat>,
    /// How many decision points a page holds (1–1000, default 500). A committee's list fits
    /// in one page; a longer one continues with `cursor`.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// Matters for follow-up at the next meeting
///
/// "Saker til oppfølging": every decision point of the committee that needs follow-up and is
/// open or in progress, grouped by owner (a point with two owners is under both), overdue first
/// and then by deadline; and every postponed case not yet taken up, with where it went. The
/// list AU brings to the meeting.
///
/// The points come in pages of at most `limit`, in deadline order, grouped by owner within the
/// page; `next_cursor` (and a `Link` header) continues, and the postponed cases come with the
/// first page.
#[utoipa::path(
    tag = "overview",
    params(("code" = CommitteeCode, Path, description = "The committee's code", example = "ASU"), FollowUpQuery),
    responses(
        (status = 200, description = "The list", content(
            (FollowUpList = "application/json"),
            (String = "text/html"),
        )),
        BadRequest, NotFound
    )
)]
#[get("/committees/{code}/follow-up")]
async fn follow_up(
    Reader(visibility): Reader,
    store: StoreData,
    req: actix_web::HttpRequest,
    code: web::Path<String>,
    QueryParams(query): QueryParams<FollowUpQuery>,
) -> Result<HttpResponse, ApiError> {
    let code: CommitteeCode = path(&code)?;
    let date = query
        .meeting_date
        .map_or_else(|| Utc::now().date_naive(), CalendarDate::get);
    let request = PageRequest::within(
        query.limit,
        (500, overview::FOLLOW_UP_MAX_PAGE as u32),
        query.cursor.as_deref(),
        &format!("follow-up|{code}|{date}|{visibility:?}"),
    )?;
    let (after, limit) = (request.after.clone(), request.limit);
    let (list, next) = store
        .run(move |conn| {
            overview::follow_up_list(conn, &code, date, visibility, after.as_ref(), limit)
        })
        .await?;
    let next_cursor = next.map(|key| request.cursor(key));
    let html = match query.format {
        Some(FollowUpFormat::Html) => true,
        Some(FollowUpFormat::Json) => false,
        None => accepts(&req, "text/html"),
    };
    let mut response = HttpResponse::Ok();
    response.insert_header((actix_web::http::header::VARY, "Accept"));
    let next_link = next_cursor.as_deref().map(|cursor| next_url(&req, cursor));
    if let Some(cursor) = &next_cursor {
        response.insert_header(pagination::next_link(&req, cursor));
    }
    Ok(if html {
        response
            .content_type("text/html; charset=utf-8")
            .body(log::follow_up_html(&list, Utc::now(), next_link.as_deref()))
    } else {
        let mut list = FollowUpList::from(list);
        list.next_cursor = next_cursor;
        response.json(list)
    })
}

fn accepts(req: &actix_web::HttpRequest, media_type: &str) -> bool {
    req.headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains(media_type))
}

/// Whose deadlines the calendar holds.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CalendarQuery {
    /// Only this committee's points.
    #[param(value_type = Option<CommitteeCode>, example = "ASU")]
    pub committee: Option<CommitteeCode>,
    /// Only this owner's points (id, name or alias).
    #[param(example = "Sekretariatet")]
    pub owner: Option<String>,
    /// A reader token, for calendar programs that cannot send an Authorization header when
    /// they subscribe. It is never logged; prefer the header where you can.
    pub access_token: Option<String>,
}

/// Deadlines as a calendar feed
///
/// Every open or in-progress decision point with a deadline, as an all-day event on its
/// deadline (RFC 5545). UIDs are stable, so Outlook, Google Calendar or any other calendar
/// program can subscribe to the URL and keep up as deadlines move and points are closed.
#[utoipa::path(
    tag = "overview",
    params(CalendarQuery),
    responses(
        (status = 200, description = "An iCalendar feed", body = String, content_type = "text/calendar"),
        BadRequest, Unprocessable
    )
)]
#[get("/calendar.ics")]
async fn calendar(
    Reader(visibility): Reader,
    store: StoreData,
    QueryParams(query): QueryParams<CalendarQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = DeadlineFilter {
        committee: query.committee.clone(),
        owner: query.owner.clone().filter(|o| !o.trim().is_empty()),
        visibility,
    };
    let name = match (&query.committee, &query.owner) {
        (Some(code), Some(owner)) => format!("Frister: {code}, {owner}"),
        (Some(code), None) => format!("Frister: {code}"),
        (None, Some(owner)) => format!("Frister: {owner}"),
        (None, None) => "Frister i vedtaksloggen".to_owned(),
    };
    // Written page by page as it is read, in one read transaction.
    let body = stream::stream(&store, move |conn, sink| {
        ical::start(sink.buffer(), &name);
        overview::deadline_pages(conn, &filter, |points| {
            for point in &points {
                ical::event(sink.buffer(), point);
                sink.flush_full()?;
            }
            Ok(())
        })?;
        ical::finish(sink.buffer());
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .body(body))
}
