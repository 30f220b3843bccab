//! The list's filters for kind, meeting and deadline range, and its CSV and printable report
//! of the same selection.

use serde_json::Value;
use vedtakslogg::api::auth::AccessSettings;
use vedtakslogg::config::Backend;
use vedtakslogg::domain::Role;

use super::{Browser, PASSWORD, account, hide, id};
use crate::helpers::TestApp;
use crate::on_both_backends;

/// 15/24-1 (10.04.24, orientation, no deadline); 24/24-2 (19.06.24, assignment, 30.08.2030);
/// 24/24-3 (19.06.24, recommendation, 01.12.2030).
struct Points {
    april: Value,
    p15_1: Value,
    p24_2: Value,
    p24_3: Value,
}

async fn points(app: &TestApp) -> Points {
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let april = app.meeting("ASU", "2024-04-10").await;
    let june = app.meeting("ASU", "2024-06-19").await;
    let case_15 = app.case(&april, "15/24", "Orientering").await;
    let case_24 = app.case(&june, "24/24", "Status Handlingsplan").await;
    Points {
        p15_1: app
            .decision(&case_15, "1", "orientation", &["ASU"], None)
            .await,
        p24_2: app
            .decision(
                &case_24,
                "2",
                "assignment",
                &["Sekretariatet"],
                Some("2030-08-30"),
            )
            .await,
        p24_3: app
            .decision(
                &case_24,
                "3",
                "recommendation",
                &["Kommunene"],
                Some("2030-12-01"),
            )
            .await,
        april,
    }
}

/// Which of the points a page links to, by their ids.
fn shown<'a>(text: &str, points: &[&'a Value]) -> Vec<&'a str> {
    points
        .iter()
        .map(|p| id(p))
        .filter(|id| text.contains(&format!("/vedtakspunkter/{id}\"")))
        .collect()
}

async fn the_list_filters_by_kind_meeting_and_deadline_range_and_reports_the_same_selection(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let p = points(&app).await;
    let all = [&p.p15_1, &p.p24_2, &p.p24_3];
    account(&app, "au@kommune.no", "Anne Arbeidsutvalg", Role::Reader).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("au@kommune.no", PASSWORD).await;

    let by_kind = browser.get("/vedtakspunkter?type=assignment").await;
    assert_eq!(by_kind.status(), 200);
    assert_eq!(shown(&by_kind.text(), &all), [id(&p.p24_2)]);
    assert!(
        by_kind
            .text()
            .contains("<option value=\"assignment\" selected>Oppdrag</option>"),
        "the choice stays in the form"
    );

    let by_meeting = browser
        .get(&format!("/vedtakspunkter?mote={}", id(&p.april)))
        .await;
    assert_eq!(shown(&by_meeting.text(), &all), [id(&p.p15_1)]);
    assert!(by_meeting.text().contains("ASU 10.04.2024"));

    let range = browser
        .get("/vedtakspunkter?frist_fra=01.09.2030&frist_til=31.12.2030")
        .await;
    assert_eq!(range.status(), 200, "{}", range.text());
    assert_eq!(shown(&range.text(), &all), [id(&p.p24_3)]);
    let from = browser.get("/vedtakspunkter?frist_fra=30.08.2030").await;
    assert_eq!(
        shown(&from.text(), &all),
        [id(&p.p24_2), id(&p.p24_3)],
        "from and including the day"
    );

    // The report buttons carry the same selection.
    let text = by_kind.text();
    assert!(
        text.contains("href=\"/vedtakspunkter.csv?type=assignment\""),
        "{text}"
    );
    assert!(text.contains("href=\"/vedtakspunkter/utskrift?type=assignment\""));
    let csv = browser.get("/vedtakspunkter.csv?type=assignment").await;
    assert_eq!(csv.status(), 200);
    assert!(
        csv.0
            .header("content-type")
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = csv.text();
    assert!(
        csv.contains("Punkt 2 i sak 24/24") && csv.contains("30.08.2030"),
        "{csv}"
    );
    assert!(!csv.contains("Punkt 3 i sak") && !csv.contains("Punkt 1 i sak"));
    let printed = browser
        .get("/vedtakspunkter/utskrift?frist_fra=01.09.2030")
        .await;
    assert_eq!(printed.status(), 200);
    let csp = printed.0.header("content-security-policy").unwrap();
    assert!(csp.contains("style-src 'sha256-") && !csp.contains("unsafe-inline"));
    let text = printed.text();
    assert!(text.contains("Punkt 3 i sak 24/24") && text.contains("01.12.2030"));
    assert!(!text.contains("Punkt 2 i sak"));
}

async fn filters_that_cannot_be_used_are_named_and_nothing_is_listed_or_reported(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    points(&app).await;
    account(&app, "au@kommune.no", "Anne Arbeidsutvalg", Role::Reader).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("au@kommune.no", PASSWORD).await;

    let bad_date = browser
        .get("/vedtakspunkter?frist_fra=31.02.2030&mote=ikke-et-mote")
        .await;
    assert_eq!(bad_date.status(), 400);
    let text = bad_date.text();
    assert!(text.contains("href=\"#filter-frist-fra\""), "{text}");
    assert!(text.contains("«31.02.2030» er ikke en dato"));
    assert!(
        text.contains("href=\"#filter-mote\""),
        "each bad field is named"
    );
    assert!(
        text.contains("value=\"31.02.2030\""),
        "what was typed stays in the field"
    );
    assert!(
        !text.contains("Last ned utvalget"),
        "no report of a broken filter"
    );

    let backwards = browser
        .get("/vedtakspunkter?frist_fra=01.12.2030&frist_til=01.09.2030")
        .await;
    assert_eq!(backwards.status(), 400);
    assert!(backwards.text().contains("kan ikke være etter"));

    let csv = browser.get("/vedtakspunkter.csv?frist_til=snart").await;
    assert_eq!(csv.status(), 400);
    assert!(
        csv.text().contains("«snart» er ikke en dato"),
        "{}",
        csv.text()
    );

    let mut stranger = Browser::new(&app);
    for path in ["/vedtakspunkter.csv", "/vedtakspunkter/utskrift"] {
        let refused = stranger.get(path).await;
        assert_eq!(refused.status(), 303, "{path}");
        assert!(refused.location().starts_with("/logg-inn"));
    }
}

async fn anonymous_reports_never_hold_a_point_that_is_not_public(backend: Backend) {
    let app = TestApp::spawn_with(backend, AccessSettings { public_read: true }).await;
    let p = points(&app).await;
    hide(&app, &format!("/api/v1/decisions/{}", id(&p.p24_2))).await;
    let mut anonymous = Browser::new(&app);
    let csv = anonymous.get("/vedtakspunkter.csv").await;
    assert_eq!(csv.status(), 200);
    assert!(csv.text().contains("Punkt 3 i sak 24/24"));
    assert!(
        !csv.text().contains("Punkt 2 i sak 24/24"),
        "{}",
        csv.text()
    );
    let printed = anonymous.get("/vedtakspunkter/utskrift").await.text();
    assert!(!printed.contains("Punkt 2 i sak 24/24"));
}

/// The meeting filter offers the newest 200 meetings, newest first (by date, then committee),
/// without reading their cases; an older meeting chosen by a link (from its own page) is offered too, and chosen.
async fn the_meeting_filter_offers_the_newest_meetings_and_the_one_a_link_chose(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 6).expect("a date");
    let mut meetings = Vec::new();
    for week in 0..201 {
        let date = start + chrono::Days::new(7 * week);
        meetings.push(app.meeting("ASU", &date.to_string()).await);
    }
    let (oldest, newest) = (&meetings[0], &meetings[200]);
    // A meeting of another committee on the 200th newest date: the cut falls between two
    // meetings of one date, in committee order (ASU before AU).
    app.committee("AU", "Arbeidsutvalget").await;
    let same_date = start + chrono::Days::new(7);
    let tied = app.meeting("AU", &same_date.to_string()).await;
    account(&app, "au@kommune.no", "Anne Arbeidsutvalg", Role::Reader).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("au@kommune.no", PASSWORD).await;

    let page = browser.get("/vedtakspunkter").await;
    assert_eq!(page.status(), 200);
    let text = page.text();
    let offered =
        |text: &str, meeting: &Value| text.contains(&format!("<option value=\"{}\"", id(meeting)));
    assert!(offered(&text, newest) && offered(&text, &meetings[1]));
    assert!(!offered(&text, oldest), "the 202nd newest is not offered");
    assert!(
        !offered(&text, &tied),
        "of two meetings on the 200th newest date, the committee later in order is not offered"
    );
    let offered_count = meetings
        .iter()
        .chain(std::iter::once(&tied))
        .filter(|meeting| offered(&text, meeting))
        .count();
    assert_eq!(offered_count, 200, "the newest 200 meetings are offered");
    let first = text
        .find(&format!("value=\"{}\"", id(newest)))
        .expect("newest offered");
    let second = text
        .find(&format!("value=\"{}\"", id(&meetings[199])))
        .expect("second newest offered");
    assert!(first < second, "newest first");

    let chosen = browser
        .get(&format!("/vedtakspunkter?mote={}", id(oldest)))
        .await;
    assert_eq!(chosen.status(), 200);
    assert!(
        chosen.text().contains(&format!(
            "<option value=\"{}\" selected>ASU 06.01.2020</option>",
            id(oldest)
        )),
        "the meeting the link chose is offered and chosen"
    );
}

on_both_backends!(
    the_meeting_filter_offers_the_newest_meetings_and_the_one_a_link_chose,
    the_list_filters_by_kind_meeting_and_deadline_range_and_reports_the_same_selection,
    filters_that_cannot_be_used_are_named_and_nothing_is_listed_or_reported,
    anonymous_reports_never_hold_a_point_that_is_not_public,
);
