//! `/vedtakspunkter`: the list of decision points, with its filters in the URL so that a
//! selection can be bookmarked and shared, and paging by the store's cursor.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::{Chrome, Visitor, WebError, format, section};
use crate::domain::{CommitteeCode, DecisionStatus};
use crate::store::decisions::{self, Decision, DecisionFilter, DecisionKey, DecisionSort};
use crate::store::{Count, Store};

/// Points on one page.
const PAGE_SIZE: i64 = 50;

/// The statuses offered as filters, in the order of the work.
const STATUSES: [DecisionStatus; 4] = [
    DecisionStatus::Open,
    DecisionStatus::InProgress,
    DecisionStatus::Done,
    DecisionStatus::Cancelled,
];

/// The filters of the list as the URL holds them.
#[derive(Debug, Default)]
struct ListQuery {
    statuses: Vec<DecisionStatus>,
    owner: String,
    committee: String,
    overdue: bool,
    q: String,
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
        for (name, value) in [
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

    /// The filter for the store; a value the store cannot take is an error for the page.
    fn filter(&self, visibility: crate::store::Visibility) -> Result<DecisionFilter, String> {
        let committee = match self.committee.as_str() {
            "" => None,
            code => Some(
                code.to_uppercase()
                    .parse::<CommitteeCode>()
                    .map_err(|_| format!("«{code}» er ikke en utvalgskode (som ASU eller AU)."))?,
            ),
        };
        let due_before = match self.due_until.as_str() {
            "" => None,
            text => Some(
                format::parse_date(text)
                    .ok_or_else(|| format!("«{text}» er ikke en dato. Skriv den som 19.06.2024."))?
                    .get(),
            ),
        };
        let q = Some(self.q.clone()).filter(|q| !q.is_empty());
        let sort = match (&q, self.by_deadline) {
            (_, true) => DecisionSort::Deadline,
            (Some(_), false) => DecisionSort::Relevance,
            (None, false) => DecisionSort::Case,
        };
        Ok(DecisionFilter {
            statuses: self.statuses.clone(),
            owner: Some(self.owner.clone()).filter(|o| !o.is_empty()),
            committee,
            overdue: self.overdue.then_some(true),
            due_before,
            q,
            sort,
            visibility,
            ..DecisionFilter::default()
        })
    }
}

fn encode_cursor(key: &DecisionKey) -> Result<String, WebError> {
    serde_json::to_vec(key)
        .map(|json| URL_SAFE_NO_PAD.encode(json))
        .map_err(|e| WebError::Internal(format!("cannot write a cursor: {e}")))
}

fn decode_cursor(text: &str) -> Result<DecisionKey, WebError> {
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
    error: Option<String>,
    statuses: [DecisionStatus; 4],
}

impl DecisionsPage {
    fn checked(&self, status: &DecisionStatus) -> bool {
        self.query.statuses.contains(status)
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

pub async fn page(
    req: HttpRequest,
    visitor: Visitor,
    store: web::Data<Store>,
) -> Result<HttpResponse, WebError> {
    let visibility = visitor.reader()?;
    let query = ListQuery::parse(req.query_string());
    let after = query.after.as_deref().map(decode_cursor).transpose()?;
    let chrome = Chrome::new("Vedtakspunkter", section::DECISIONS, &visitor);
    let filter = match query.filter(visibility) {
        Ok(filter) => filter,
        Err(message) => {
            // The form is shown again with what was typed and what is wrong with it.
            let page = DecisionsPage {
                chrome,
                query,
                rows: Vec::new(),
                total: Count::exactly(0),
                next: None,
                first: None,
                error: Some(message),
                statuses: STATUSES,
            };
            return super::render(StatusCode::BAD_REQUEST, &page);
        }
    };
    let found = store
        .run(move |conn| decisions::list(conn, &filter, after.as_ref(), PAGE_SIZE))
        .await?;
    let filters = query.filters().finish();
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
            error: None,
            statuses: STATUSES,
        },
    )
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
