//! `/moter`: the meetings, committee by committee, with the number of cases on each agenda.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Chrome, Visitor, WebError, format, section};
use crate::store::Store;
use crate::store::committees;
use crate::store::meetings::{self, Meeting, MeetingFilter};

/// More meetings than a committee holds in decades; past it the page says so.
const MOST: i64 = 1000;

/// A committee with its meetings, by date.
struct Group {
    code: String,
    name: String,
    meetings: Vec<Meeting>,
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct MeetingsPage {
    chrome: Chrome,
    groups: Vec<Group>,
    cut: bool,
    today: chrono::NaiveDate,
}

impl MeetingsPage {
    fn date(&self, day: &chrono::NaiveDate) -> String {
        format::date(*day)
    }

    fn time(&self, meeting: &Meeting) -> String {
        format::clock_span(meeting.start_time, meeting.end_time).unwrap_or_default()
    }
}

/// `GET /moter`.
pub async fn page(visitor: Visitor, store: web::Data<Store>) -> Result<HttpResponse, WebError> {
    let visibility = visitor.reader()?;
    let (committees, found) = store
        .run(move |conn| {
            let committees = committees::list(conn)?;
            let filter = MeetingFilter {
                visibility,
                ..MeetingFilter::default()
            };
            Ok((committees, meetings::list(conn, &filter, None, MOST)?))
        })
        .await?;
    let mut by_code: BTreeMap<String, Vec<Meeting>> = BTreeMap::new();
    for meeting in found.items {
        by_code
            .entry(meeting.committee.to_string())
            .or_default()
            .push(meeting);
    }
    let groups = committees
        .into_iter()
        .filter_map(|committee| {
            let meetings = by_code.remove(committee.code.as_str())?;
            Some(Group {
                code: committee.code.to_string(),
                name: committee.name,
                // The newest first: the next and the last meeting are what people look for.
                meetings: meetings.into_iter().rev().collect(),
            })
        })
        .collect();
    super::render(
        StatusCode::OK,
        &MeetingsPage {
            chrome: Chrome::new("Møter", section::MEETINGS, &visitor),
            groups,
            cut: found.next.is_some(),
            today: format::today(),
        },
    )
}
