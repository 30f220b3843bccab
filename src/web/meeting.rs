//! `/moter/{id}`: one meeting with its agenda, its cases and their decision points; and
//! `/moter/{id}/oppfolging`, the printable "Saker til oppfølging" to bring to it.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;

use super::{Chrome, Visitor, WebError, format, section};
use crate::domain::{CaseId, MeetingId, MeetingKind, MeetingStatus};
use crate::report::log;
use crate::store::cases::{self, Case, CaseFilter};
use crate::store::decisions::{self, Decision};
use crate::store::meetings::{self, Meeting};
use crate::store::{Store, StoreError, overview};

/// More cases than any agenda holds; past it the page says so.
const MOST_CASES: i64 = 500;

/// A case on the agenda with its points.
struct Item {
    case: Case,
    points: Vec<Decision>,
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    chrome: Chrome,
    meeting: Meeting,
    items: Vec<Item>,
    cut: bool,
    /// What an import just confirmed on the import page did here.
    done: Option<String>,
}

impl MeetingPage {
    fn date(&self, day: &chrono::NaiveDate) -> String {
        format::date(*day)
    }

    fn case_status(&self, case: &Case) -> &'static str {
        format::case_status(case.status)
    }

    fn time(&self) -> String {
        format::clock_span(self.meeting.start_time, self.meeting.end_time)
            .unwrap_or_else(|| "Ikke oppgitt".into())
    }

    fn held(&self) -> &'static str {
        match (self.meeting.status, self.meeting.kind) {
            (MeetingStatus::Held, MeetingKind::Extraordinary) => "Avholdt (ekstraordinært møte)",
            (MeetingStatus::Held, _) => "Avholdt",
            (MeetingStatus::Planned, MeetingKind::Extraordinary) => {
                "Planlagt (ekstraordinært møte)"
            }
            (MeetingStatus::Planned, _) => "Planlagt",
        }
    }
}

fn parse_id(id: &str) -> Result<MeetingId, WebError> {
    id.parse()
        .map_err(|_| WebError::NotFound("Det finnes ikke noe møte med denne adressen.".into()))
}

fn gone(error: StoreError) -> WebError {
    WebError::from_store_deleted(
        error,
        "Dette møtet er slettet. Historikken er tatt vare på i loggen.",
    )
}

/// What the import page's confirmation did here (`?importert=1&nye=..`), in words. The counts
/// are only told, so a query that does not parse is ignored, not refused.
fn import_notice(query: &str) -> Option<String> {
    let query = super::Form::parse(query.as_bytes());
    let count = |name: &str| {
        query
            .get(name)
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
    };
    match query.get("importert")? {
        "0" => Some("Dokumentet var allerede importert: ingenting ble endret.".into()),
        _ => {
            let mut told = format!(
                "Importen er lagret: {} opprettet, {} endret, {} fjernet.",
                count("nye"),
                count("endret"),
                count("fjernet")
            );
            match count("beholdt") {
                0 => {}
                kept => told.push_str(&format!(" {kept} beholdt felt som var endret for hånd.")),
            }
            Some(told)
        }
    }
}

/// `GET /moter/{id}`.
pub async fn page(
    visitor: Visitor,
    store: web::Data<Store>,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, WebError> {
    let visibility = visitor.reader()?;
    let id = parse_id(&id)?;
    let (meeting, agenda, points) = store
        .run(move |conn| {
            let meeting = meetings::get(conn, id, visibility)?;
            let filter = CaseFilter {
                meeting: Some(id),
                visibility,
                ..CaseFilter::default()
            };
            let agenda = cases::list(conn, &filter, None, MOST_CASES)?;
            let ids: Vec<CaseId> = agenda.items.iter().map(|c| c.id).collect();
            let points = decisions::of_cases(conn, &ids, visibility)?;
            Ok((meeting, agenda, points))
        })
        .await
        .map_err(gone)?;
    let mut by_case: HashMap<CaseId, Vec<Decision>> = HashMap::new();
    for point in points {
        by_case.entry(point.case.id).or_default().push(point);
    }
    let items = agenda
        .items
        .into_iter()
        .map(|case| Item {
            points: by_case.remove(&case.id).unwrap_or_default(),
            case,
        })
        .collect();
    let title = format!("{}-møtet {}", meeting.committee, format::date(meeting.date));
    super::render(
        StatusCode::OK,
        &MeetingPage {
            chrome: Chrome::new(title, section::MEETINGS, &visitor),
            meeting,
            items,
            cut: agenda.next.is_some(),
            done: import_notice(req.query_string()),
        },
    )
}

/// `GET /moter/{id}/oppfolging`: "Saker til oppfølging" for the meeting, as the API's report
/// prints it, for a person signed in (the API's report asks for a token).
pub async fn follow_up(
    visitor: Visitor,
    store: web::Data<Store>,
    id: web::Path<String>,
    page: web::Query<FollowUpPage>,
) -> Result<HttpResponse, WebError> {
    let visibility = visitor.reader()?;
    let id = parse_id(&id)?;
    let after = page
        .side
        .as_deref()
        .map(super::decisions::decode_cursor)
        .transpose()?;
    let (list, next) = store
        .run(move |conn| {
            let meeting = meetings::get(conn, id, visibility)?;
            overview::follow_up_list(
                conn,
                &meeting.committee,
                meeting.date,
                visibility,
                after.as_ref(),
                overview::FOLLOW_UP_MAX_PAGE,
            )
        })
        .await
        .map_err(gone)?;
    let next = next
        .map(|key| super::decisions::encode_cursor(&key))
        .transpose()?
        .map(|cursor| format!("/moter/{id}/oppfolging?side={cursor}"));
    Ok(super::printable(log::follow_up_html(
        &list,
        Utc::now(),
        next.as_deref(),
    )))
}

/// Where a long "Saker til oppfølging" continues.
#[derive(Debug, serde::Deserialize)]
pub struct FollowUpPage {
    side: Option<String>,
}
