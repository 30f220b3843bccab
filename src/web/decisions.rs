//! `/vedtakspunkter`: the list of decision points, with its filters in the URL so that a
//! selection can be bookmarked and shared, and paging by the store's cursor.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::{Chrome, FieldError, Visitor, WebError, format, section};
use chrono::Utc;

use crate::domain::{CommitteeCode, DecisionKind, DecisionStatus, MeetingId};
use crate::report::log;
use crate::store::decisions::{self, Decision, DecisionFilter, DecisionKey, DecisionSort};
use crate::store::meetings::{self, MeetingChoice};
use crate::store::{Count, Store, Visibility};

/// Points on one page.
const PAGE_SIZE: i64 = 50;

/// The statuses offered as filters, in the order of the work.
const STATUSES: [DecisionStatus; 4] = [
    DecisionStatus::Open,
    DecisionStatus::InProgress,
    DecisionStatus::Done,
    DecisionStatus::Cancelled,
];

/// The meetings the filter offers: the newest ones, some years of a committee's meetings.
/// An older meeting is reached from its own page, whose link chooses it here.
const MEETINGS_OFFERED: i64 = 200;

/// The filters of the list as the URL holds them.
#[derive(Debug, Default)]
struct ListQuery {
    statuses: Vec<DecisionStatus>,
    kinds: Vec<DecisionKind>,
    /// A meeting's id, as the select sends it.
    meeting: String,
    owner: String,
    committee: String,
    overdue: bool,
    q: String,
    due_from: String,
    due_until: String,
    by_deadline: bool,
    /// The cursor of the page: where the previous one ended.
    after: Option<String>,
}

impl ListQuery {
    fn parse(query: &str) -> Self {
        let mut parsed = ListQuery::default();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let value = value.trim().to_owned();
            match name.as_ref() {
                "status" => {
                    if let Ok(status) = value.parse() {
                        parsed.statuses.push(status);
                    }
                }
                "type" => {
                    if let Ok(kind) = value.parse() {
                        parsed.kinds.push(kind);
                    }
                }
                "mote" => parsed.meeting = value,
                "frist_fra" => parsed.due_from = value,
                "ansvarlig" => parsed.owner = value,
                "utvalg" => parsed.committee = value,
                "forfalt" => parsed.overdue = value == "ja",
                "q" => parsed.q = value,
                "frist_til" => parsed.due_until = value,
                "sorter" => parsed.by_deadline = value == "frist",
                "side" if !value.is_empty() => parsed.after = Some(value),
                _ => {}
            }
        }
        parsed
    }

    /// The query string of these filters, without the page.
    fn filters(&self) -> form_urlencoded::Serializer<'static, String> {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for status in &self.statuses {
            query.append_pair("status", status.as_str());
        }
        for kind in &self.kinds {
            query.append_pair("type", kind.as_str());
        }
        for (name, value) in [
            ("mote", &self.meeting),
            ("frist_fra", &self.due_from),
            ("ansvarlig", &self.owner),
            ("utvalg", &self.committee),
            ("q", &self.q),
            ("frist_til", &self.due_until),
        ] {
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        if self.overdue {
            query.append_pair("forfalt", "ja");
        }
        if self.by_deadline {
            query.append_pair("sorter", "frist");
        }
        query
    }

    /// The filter for the store; the values it cannot take are listed instead, by the id of
    /// their field on the page.
    fn filter(&self, visibility: Visibility) -> Result<DecisionFilter, Vec<FieldError>> {
        let mut errors = Vec::new();
        let committee = match self.committee.as_str() {
            "" => None,
            code => code
                .to_uppercase()
                .parse::<CommitteeCode>()
                .ok()
                .or_else(|| {
                    errors.push(FieldError::new(
                        "filter-utvalg",
                        format!("«{code}» er ikke en utvalgskode (som ASU eller AU)."),
                    ));
                    None
                }),
        };
        let meeting = match self.meeting.as_str() {
            "" => None,
            id => id.parse::<MeetingId>().ok().or_else(|| {
                errors.push(FieldError::new(
                    "filter-mote",
                    "Møtet i lenken finnes ikke. Velg et møte i listen.",
                ));
                None
            }),
        };
        let mut date = |field: &'static str, text: &str| match text {
            "" => None,
            text => format::parse_date(text).map(|d| d.get()).or_else(|| {
                errors.push(FieldError::new(
                    field,
                    format!("«{text}» er ikke en dato. Skriv den som 19.06.2024."),
                ));
                None
            }),
        };
        let due_after = date("filter-frist-fra", &self.due_from);
        let due_before = date("filter-frist", &self.due_until);
        if let (Some(from), Some(to)) = (due_after, due_before)
            && from > to
        {
            errors.push(FieldError::new(
                "filter-frist-fra",
                "Fristen «fra» kan ikke være etter fristen «til».",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let q = Some(self.q.clone()).filter(|q| !q.is_empty());
        let sort = match (&q, self.by_deadline) {
            (_, true) => DecisionSort::Deadline,
            (Some(_), false) => DecisionSort::Relevance,
            (None, false) => DecisionSort::Case,
        };
        Ok(DecisionFilter {
            statuses: self.statuses.clone(),
            kinds: self.kinds.clone(),
            owner: Some(self.owner.clone()).filter(|o| !o.is_empty()),
            committee,
            meeting,
            overdue: self.overdue.then_some(true),
            due_after,
            due_before,
            q,
            sort,
            visibility,
            ..DecisionFilter::default()
        })
    }
}

pub(super) fn encode_cursor(key: &DecisionKey) -> Result<String, WebError> {
    serde_json::to_vec(key)
        .map(|json| URL_SAFE_NO_PAD.encode(json))
        .map_err(|e| WebError::Internal(format!("cannot write a cursor: {e}")))
}

pub(super) fn decode_cursor(text: &str) -> Result<DecisionKey, WebError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .ok()
        .and_then(|json| serde_json::from_slice(&json).ok())
        .ok_or_else(|| {
            WebError::BadRequest(
                "Lenken til denne siden av listen er ødelagt. Gå til første side og bla derfra."
                    .into(),
            )
        })
}

/// One row of the table.
struct Row {
    decision: Decision,
    /// The text, or the part of it that matched a search, split into plain and marked parts.
    excerpt: Vec<(String, bool)>,
}

/// The words found by a search are marked in the snippet with [ and ]: split it so that the
/// template can `<mark>` them (each part escaped as text).
fn marked_parts(snippet: &str) -> Vec<(String, bool)> {
    let mut parts = Vec::new();
    let mut rest = snippet;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']') else {
            break;
        };
        if open > 0 {
            parts.push((rest[..open].to_owned(), false));
        }
        parts.push((rest[open + 1..open + close].to_owned(), true));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        parts.push((rest.to_owned(), false));
    }
    parts
}

fn excerpt(decision: &Decision) -> Vec<(String, bool)> {
    if let Some(found) = &decision.search {
        return marked_parts(&found.snippet);
    }
    const MAX: usize = 220;
    let text = decision.text.trim();
    if text.chars().count() <= MAX {
        return vec![(text.to_owned(), false)];
    }
    let cut: String = text.chars().take(MAX).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    vec![(format!("{cut} …"), false)]
}

#[derive(Template)]
#[template(path = "decisions.html")]
struct DecisionsPage {
    chrome: Chrome,
    query: ListQuery,
    rows: Vec<Row>,
    total: Count,
    next: Option<String>,
    first: Option<String>,
    errors: Vec<FieldError>,
    statuses: [DecisionStatus; 4],
    kinds: &'static [DecisionKind],
    meetings: Vec<MeetingChoice>,
    /// The query string of the filters, for the report links.
    filters: String,
}

impl DecisionsPage {
    fn checked(&self, status: &DecisionStatus) -> bool {
        self.query.statuses.contains(status)
    }

    fn kind_chosen(&self, kind: &DecisionKind) -> bool {
        self.query.kinds.contains(kind)
    }

    fn kind_word(&self, kind: &DecisionKind) -> &'static str {
        format::kind(*kind)
    }

    fn error_for(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    fn status_word(&self, status: &DecisionStatus) -> &'static str {
        format::status(*status)
    }

    fn status_color(&self, status: &DecisionStatus) -> &'static str {
        format::status_color(*status)
    }

    fn date(&self, day: &chrono::NaiveDate) -> String {
        format::date(*day)
    }

    fn owners(&self, decision: &Decision) -> String {
        decision
            .owners
            .iter()
            .map(|o| o.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The meetings offered in the filter, newest first, and the one chosen by the link.
async fn meetings_offered(
    store: &Store,
    query: &ListQuery,
) -> Result<Vec<MeetingChoice>, WebError> {
    let chosen = query.meeting.parse::<MeetingId>().ok();
    Ok(store
        .run(move |conn| meetings::choices(conn, chosen, MEETINGS_OFFERED))
        .await?)
}

/// `GET /vedtakspunkter`.
pub async fn page(
    req: HttpRequest,
    visitor: Visitor,
    store: web::Data<Store>,
) -> Result<HttpResponse, WebError> {
    let visibility = visitor.reader()?;
    let query = ListQuery::parse(req.query_string());
    let after = query.after.as_deref().map(decode_cursor).transpose()?;
    let chrome = Chrome::new("Vedtakspunkter", section::DECISIONS, &visitor);
    let meetings = meetings_offered(&store, &query).await?;
    let filters = query.filters().finish();
    let filter = match query.filter(visibility) {
        Ok(filter) => filter,
        Err(errors) => {
            // The form is shown again with what was typed and what is wrong with it.
            let page = DecisionsPage {
                chrome,
                query,
                rows: Vec::new(),
                total: Count::exactly(0),
                next: None,
                first: None,
                errors,
                statuses: STATUSES,
                kinds: DecisionKind::ALL,
                meetings,
                filters,
            };
            return super::render(StatusCode::BAD_REQUEST, &page);
        }
    };
    let found = store
        .run(move |conn| decisions::list(conn, &filter, after.as_ref(), PAGE_SIZE))
        .await?;
    let next = match &found.next {
        Some(key) => {
            let mut link = query.filters();
            link.append_pair("side", &encode_cursor(key)?);
            Some(format!("/vedtakspunkter?{}", link.finish()))
        }
        None => None,
    };
    let first = query
        .after
        .is_some()
        .then(|| format!("/vedtakspunkter?{filters}"));
    let rows = found
        .items
        .into_iter()
        .map(|decision| Row {
            excerpt: excerpt(&decision),
            decision,
        })
        .collect();
    super::render(
        StatusCode::OK,
        &DecisionsPage {
            chrome,
            query,
            rows,
            total: found.total,
            next,
            first,
            errors: Vec::new(),
            statuses: STATUSES,
            kinds: DecisionKind::ALL,
            meetings,
            filters,
        },
    )
}

/// The report of the list's selection, built by the report functions the API uses: every
/// point that matches (not one page), grouped by meeting and case.
async fn report(
    req: &HttpRequest,
    visitor: &Visitor,
    store: &Store,
) -> Result<log::Report, WebError> {
    let visibility = visitor.reader()?;
    let query = ListQuery::parse(req.query_string());
    let filter = query.filter(visibility).map_err(|errors| {
        WebError::BadRequest(
            errors
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
                .join(" "),
        )
    })?;
    let committee = filter.committee.clone();
    let points = store
        .run(move |conn| decisions::list_every(conn, &filter))
        .await?;
    Ok(log::build(committee, None, None, points, Utc::now()))
}

/// `GET /vedtakspunkter.csv`: the selection as CSV for Excel.
pub async fn csv(
    req: HttpRequest,
    visitor: Visitor,
    store: web::Data<Store>,
) -> Result<HttpResponse, WebError> {
    let report = report(&req, &visitor, &store).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"vedtakspunkter.csv\"",
        ))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(log::csv(&report)))
}

/// `GET /vedtakspunkter/utskrift`: the selection as a printable page.
pub async fn print(
    req: HttpRequest,
    visitor: Visitor,
    store: web::Data<Store>,
) -> Result<HttpResponse, WebError> {
    let report = report(&req, &visitor, &store).await?;
    Ok(super::printable(log::html(&report)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_words_are_marked_apart_from_the_text() {
        assert_eq!(
            marked_parts("... en [vedtakslogg] som [benyttes] ..."),
            vec![
                ("... en ".to_owned(), false),
                ("vedtakslogg".to_owned(), true),
                (" som ".to_owned(), false),
                ("benyttes".to_owned(), true),
                (" ...".to_owned(), false),
            ]
        );
        assert_eq!(
            marked_parts("no marks [here"),
            vec![("no marks [here".to_owned(), false)]
        );
    }

    #[test]
    fn the_filters_survive_the_url() {
        let query = ListQuery::parse(
            "status=open&status=in_progress&ansvarlig=S%C3%B8r&forfalt=ja&q=logg&side=abc",
        );
        assert_eq!(
            query.statuses,
            [DecisionStatus::Open, DecisionStatus::InProgress]
        );
        assert_eq!(query.after.as_deref(), Some("abc"));
        assert_eq!(
            query.filters().finish(),
            "status=open&status=in_progress&ansvarlig=S%C3%B8r&q=logg&forfalt=ja"
        );
    }
}
