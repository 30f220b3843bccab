//! The meeting pages: `/moter` (by committee), `/moter/{id}` (agenda, cases, points) and the
//! printable "Saker til oppfølging" at `/moter/{id}/oppfolging`.

use base64::Engine;
use serde_json::Value;
use sha2::Digest;
use vedtakslogg::api::auth::AccessSettings;
use vedtakslogg::config::Backend;
use vedtakslogg::domain::Role;

use super::{Browser, PASSWORD, account, hide, id};
use crate::helpers::TestApp;
use crate::on_both_backends;

/// ASU on 10.04.24 and 19.06.24 (24/24 with a point for the secretariat, 25/24 without
/// points); AU on 01.05.24.
struct Meetings {
    april: Value,
    june: Value,
    case_24: Value,
    point: Value,
}

async fn meetings(app: &TestApp) -> Meetings {
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    app.committee("AU", "Arbeidsutvalget").await;
    let april = app.meeting("ASU", "2024-04-10").await;
    let june = app.meeting("ASU", "2024-06-19").await;
    app.meeting("AU", "2024-05-01").await;
    let case_24 = app.case(&june, "24/24", "Status Handlingsplan").await;
    app.case(&june, "25/24", "Eventuelt").await;
    let point = app
        .decision(
            &case_24,
            "2",
            "assignment",
            &["Sekretariatet"],
            Some("2030-08-30"),
        )
        .await;
    Meetings {
        april,
        june,
        case_24,
        point,
    }
}

async fn meetings_are_listed_by_committee_and_a_meeting_shows_its_agenda_and_points(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let m = meetings(&app).await;
    account(&app, "au@kommune.no", "Anne Arbeidsutvalg", Role::Reader).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("au@kommune.no", PASSWORD).await;

    let list = browser.get("/moter").await;
    assert_eq!(list.status(), 200, "{}", list.text());
    let text = list.text();
    let asu = text.find("ASU – Administrativt samarbeidsutvalg").unwrap();
    let au = text.find("AU – Arbeidsutvalget").unwrap();
    assert!(asu < au, "committees in order of their codes");
    let (june, april) = (
        text.find(&format!("/moter/{}", id(&m.june))).unwrap(),
        text.find(&format!("/moter/{}", id(&m.april))).unwrap(),
    );
    assert!(june < april, "the newest meeting first");
    assert!(text.contains("ASU 19.06.2024") && text.contains("AU 01.05.2024"));
    assert!(
        text.contains("aria-current=\"page\">Møter"),
        "the menu marks the page"
    );

    let page = browser.get(&format!("/moter/{}", id(&m.june))).await;
    assert_eq!(page.status(), 200, "{}", page.text());
    let text = page.text();
    assert!(text.contains("ASU-møtet 19.06.2024"));
    assert!(text.contains("Saksliste"));
    assert!(text.contains(&format!("href=\"/saker/{}\"", id(&m.case_24))));
    assert!(
        text.contains("Eventuelt"),
        "a case without points is on the agenda"
    );
    assert!(text.contains(&format!("href=\"/vedtakspunkter/{}\"", id(&m.point))));
    assert!(text.contains("30.08.2030"));
    let print = format!("/moter/{}/oppfolging", id(&m.june));
    assert!(text.contains(&print), "a link to the printable list");

    let point = browser
        .get(&format!("/vedtakspunkter/{}", id(&m.point)))
        .await;
    assert!(
        point
            .text()
            .contains(&format!("href=\"/moter/{}\"", id(&m.june))),
        "the point page links to its meeting"
    );

    let printed = browser.get(&print).await;
    assert_eq!(printed.status(), 200, "{}", printed.text());
    let text = printed.text();
    assert!(text.contains("Saker til oppfølging – ASU"), "{text}");
    assert!(text.contains("Til møtet 19.06.2024"));
    assert!(text.contains("Sekretariatet") && text.contains("24/24-2"));
    let csp = printed.0.header("content-security-policy").unwrap();
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let style = text
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .unwrap()
        .0;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(style));
    assert!(
        csp.contains(&format!("style-src 'sha256-{hash}'")),
        "the page's own style is allowed by its hash: {csp}"
    );
}

async fn unknown_deleted_and_hidden_meetings_and_anonymous_visitors(backend: Backend) {
    let app = TestApp::spawn_with(backend, AccessSettings { public_read: true }).await;
    let m = meetings(&app).await;
    hide(&app, &format!("/api/v1/cases/{}", id(&m.case_24))).await;
    let mut anonymous = Browser::new(&app);
    let page = anonymous.get(&format!("/moter/{}", id(&m.june))).await;
    assert_eq!(page.status(), 200);
    assert!(
        !page.text().contains("Status Handlingsplan"),
        "a case that is not public is not on the agenda for anonymous visitors"
    );
    assert!(page.text().contains("Eventuelt"));
    let printed = anonymous
        .get(&format!("/moter/{}/oppfolging", id(&m.june)))
        .await;
    assert_eq!(printed.status(), 200);
    assert!(
        !printed.text().contains("24/24"),
        "nor in the printed list: {}",
        printed.text()
    );

    assert_eq!(anonymous.get("/moter/ikke-et-mote").await.status(), 404);
    let unknown = anonymous
        .get("/moter/7b3c3bd5-5e8e-4a58-9a64-1a0b8f9c2d11")
        .await;
    assert_eq!(unknown.status(), 404);
    assert!(unknown.text().contains("Siden finnes ikke"));
    app.delete(&format!("/api/v1/meetings/{}", id(&m.april)))
        .await
        .expect(204);
    let deleted = anonymous.get(&format!("/moter/{}", id(&m.april))).await;
    assert_eq!(deleted.status(), 410);
    assert!(deleted.text().contains("Dette møtet er slettet"));
    assert!(
        !anonymous.get("/moter").await.text().contains(id(&m.april)),
        "a deleted meeting is not listed"
    );

    let closed = TestApp::spawn(backend).await;
    let mut stranger = Browser::new(&closed);
    for path in [
        "/moter",
        "/moter/7b3c3bd5-5e8e-4a58-9a64-1a0b8f9c2d11/oppfolging",
    ] {
        let refused = stranger.get(path).await;
        assert_eq!(refused.status(), 303, "{path}");
        assert!(refused.location().starts_with("/logg-inn"), "{path}");
    }
}

on_both_backends!(
    meetings_are_listed_by_committee_and_a_meeting_shows_its_agenda_and_points,
    unknown_deleted_and_hidden_meetings_and_anonymous_visitors,
);
