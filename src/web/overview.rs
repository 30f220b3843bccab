//! `/`: Oversikt, the start page. What AU asks between meetings: how much is open, in
//! progress, overdue and due within 30 days; by owner; and the next meeting.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use chrono::{Duration, NaiveDate};

use super::{Chrome, Visitor, WebError, format, section};
use crate::store::Store;
use crate::store::meetings::{self, Meeting, MeetingFilter};
use crate::store::overview::{Stats, StatsFilter};

/// "Due soon" on the overview: within this many days.
const DUE_WITHIN_DAYS: u32 = 30;

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    chrome: Chrome,
    stats: std::sync::Arc<Stats>,
    next_meeting: Option<Meeting>,
    /// The last date of "due soon", for the link to the list.
    due_until: NaiveDate,
}

impl OverviewPage {
    fn date(&self, day: &NaiveDate) -> String {
        format::date(*day)
    }

    /// The list of an owner's open work.
    fn owner_link(&self, owner: &str) -> String {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("ansvarlig", owner)
            .append_pair("status", "open")
            .append_pair("status", "in_progress")
            .finish();
        format!("/vedtakspunkter?{query}")
    }
}

pub async fn page(visitor: Visitor, store: web::Data<Store>) -> Result<HttpResponse, WebError> {
    let visibility = visitor.reader()?;
    let today = format::today();
    // The counts are kept between changes (see `Store::stats`), as for the API's /stats.
    let stats = store
        .stats(StatsFilter {
            due_within_days: DUE_WITHIN_DAYS,
            visibility,
            ..StatsFilter::default()
        })
        .await?;
    let next_meeting = store
        .run(move |conn| {
            let next = meetings::list(
                conn,
                &MeetingFilter {
                    from: Some(today),
                    visibility,
                    ..MeetingFilter::default()
                },
                None,
                1,
            )?;
            Ok(next.items.into_iter().next())
        })
        .await?;
    let due_until = stats.today + Duration::days(i64::from(DUE_WITHIN_DAYS));
    super::render(
        StatusCode::OK,
        &OverviewPage {
            chrome: Chrome::new("Oversikt", section::OVERVIEW, &visitor),
            stats,
            next_meeting,
            due_until,
        },
    )
}
