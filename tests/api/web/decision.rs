//! Owners and "Rapportert i" (the evidence of a status change) changed on the point page
//! `/vedtakspunkter/{id}`.

use vedtakslogg::config::Backend;
use vedtakslogg::domain::Role;

use super::{Browser, PASSWORD, account, point};
use crate::helpers::TestApp;
use crate::on_both_backends;

async fn owner_names(app: &TestApp, id: &str) -> Vec<String> {
    app.get(&format!("/api/v1/decisions/{id}"))
        .await
        .expect(200)["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn an_editor_changes_the_owners_and_unknown_ones_are_refused_at_the_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let point = point(&app, true).await;
    let id = point["id"].as_str().unwrap();
    account(&app, "kari@kommune.no", "Kari Nordmann", Role::Editor).await;
    let mut kari = Browser::new(&app);
    kari.sign_in("kari@kommune.no", PASSWORD).await;
    let uri = format!("/vedtakspunkter/{id}");
    let page = kari.get(&uri).await;
    assert!(
        page.text()
            .contains("name=\"ansvarlige\" value=\"Sekretariatet\"")
    );

    let unknown = kari
        .save_point(
            &uri,
            &page,
            &[
                ("status", "open"),
                ("ansvarlige", "Sekretariatet, Ukjentgruppen"),
            ],
        )
        .await;
    assert_eq!(unknown.status(), 422, "{}", unknown.text());
    let text = unknown.text();
    assert!(
        text.contains("«Ukjentgruppen» er ikke en registrert ansvarlig"),
        "{text}"
    );
    assert!(text.contains("href=\"#felt-ansvarlige\""));
    assert!(
        text.contains("value=\"Sekretariatet, Ukjentgruppen\""),
        "what was typed stays"
    );
    let twice = kari
        .save_point(
            &uri,
            &page,
            &[
                ("status", "open"),
                ("ansvarlige", "Sekretariatet, sekretariat"),
            ],
        )
        .await;
    assert_eq!(twice.status(), 422);
    assert!(twice.text().contains("Sekretariatet står der to ganger"));
    assert_eq!(
        owner_names(&app, id).await,
        ["Sekretariatet"],
        "nothing changed"
    );

    let saved = kari
        .save_point(
            &uri,
            &page,
            &[
                ("status", "open"),
                ("ansvarlige", "Sekretariatet, arbeidsutvalget"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303, "{}", saved.text());
    assert_eq!(owner_names(&app, id).await, ["Sekretariatet", "AU"]);
    let after = kari.get(saved.location()).await.text();
    assert!(
        after.contains("Ansvarlige: Sekretariatet → Sekretariatet, AU"),
        "the timeline shows the change: {after}"
    );

    // A form without the field (an older page) leaves the owners as they are.
    let page = kari.get(&uri).await;
    let status_only = kari
        .save_point(&uri, &page, &[("status", "in_progress")])
        .await;
    assert_eq!(status_only.status(), 303);
    assert_eq!(owner_names(&app, id).await, ["Sekretariatet", "AU"]);
}

async fn a_second_editor_changing_owners_sees_the_first_ones_change(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let point = point(&app, true).await;
    let id = point["id"].as_str().unwrap();
    account(&app, "kari@kommune.no", "Kari Nordmann", Role::Editor).await;
    account(&app, "ola@kommune.no", "Ola Nordmann", Role::Editor).await;
    let (mut kari, mut ola) = (Browser::new(&app), Browser::new(&app));
    kari.sign_in("kari@kommune.no", PASSWORD).await;
    ola.sign_in("ola@kommune.no", PASSWORD).await;
    let uri = format!("/vedtakspunkter/{id}");
    let (kari_page, ola_page) = (kari.get(&uri).await, ola.get(&uri).await);
    let first = kari
        .save_point(
            &uri,
            &kari_page,
            &[("status", "open"), ("ansvarlige", "AU")],
        )
        .await;
    assert_eq!(first.status(), 303);
    let second = ola
        .save_point(
            &uri,
            &ola_page,
            &[
                ("status", "open"),
                ("ansvarlige", "Sekretariatet, Kommunene"),
            ],
        )
        .await;
    assert_eq!(second.status(), 409, "{}", second.text());
    let text = second.text();
    assert!(
        text.contains("<dt>Ansvarlige</dt><dd>AU</dd>"),
        "their change: {text}"
    );
    assert!(
        text.contains("value=\"Sekretariatet, Kommunene\""),
        "what Ola typed is kept"
    );
    assert_eq!(owner_names(&app, id).await, ["AU"], "nothing overwritten");
}

async fn evidence(app: &TestApp, id: &str) -> serde_json::Value {
    app.get(&format!("/api/v1/decisions/{id}"))
        .await
        .expect(200)["status_evidence"]
        .clone()
}

/// Saves the point as done, reported in this case or at this meeting of ASU (or neither).
async fn done_and_cited(
    kari: &mut Browser<'_>,
    uri: &str,
    page: &super::Page,
    case: &str,
    meeting: &str,
) -> super::Page {
    kari.save_point(
        uri,
        page,
        &[
            ("status", "done"),
            ("merknad", "Vedtaksloggen er tatt i bruk"),
            ("rapportert_utvalg", "ASU"),
            ("rapportert_sak", case),
            ("rapportert_mote", meeting),
        ],
    )
    .await
}

async fn an_editor_cites_where_a_change_was_reported_and_clears_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let point = point(&app, true).await;
    let id = point["id"].as_str().unwrap();
    let meeting = app.meeting("ASU", "2024-08-30").await;
    app.case(&meeting, "20/24", "Oppfølging av vedtaksloggen")
        .await;
    account(&app, "kari@kommune.no", "Kari Nordmann", Role::Editor).await;
    let mut kari = Browser::new(&app);
    kari.sign_in("kari@kommune.no", PASSWORD).await;
    let uri = format!("/vedtakspunkter/{id}");
    let page = kari.get(&uri).await;
    let text = page.text();
    assert!(
        text.contains("name=\"rapportert_sak\" value=\"\""),
        "{text}"
    );
    assert!(text.contains("<option value=\"ASU\" selected>ASU</option>"));

    let saved = done_and_cited(&mut kari, &uri, &page, "20/24", "").await;
    assert_eq!(saved.status(), 303, "{}", saved.text());
    let cited = evidence(&app, id).await;
    assert_eq!(cited["case"], "20/24", "{cited}");
    let after = kari.get(saved.location()).await.text();
    assert!(
        after.contains("<dt>Rapportert i</dt><dd>ASU sak 20/24</dd>"),
        "{after}"
    );
    assert!(
        after.contains("<li>Rapportert i: "),
        "the timeline shows the citation: {after}"
    );

    // The same status, now cited by the meeting instead.
    let page = kari.get(&uri).await;
    assert!(
        page.text()
            .contains("name=\"rapportert_sak\" value=\"20/24\"")
    );
    let by_meeting = done_and_cited(&mut kari, &uri, &page, "", "30.08.2024").await;
    assert_eq!(by_meeting.status(), 303, "{}", by_meeting.text());
    let cited = evidence(&app, id).await;
    assert_eq!(cited["meeting_date"], "2024-08-30", "{cited}");
    assert_eq!(cited["case"], serde_json::Value::Null);

    // Both left empty: cleared, the status as it was.
    let page = kari.get(&uri).await;
    let cleared = done_and_cited(&mut kari, &uri, &page, "", "").await;
    assert_eq!(cleared.status(), 303, "{}", cleared.text());
    assert_eq!(evidence(&app, id).await, serde_json::Value::Null);
    let point_now = app
        .get(&format!("/api/v1/decisions/{id}"))
        .await
        .expect(200);
    assert_eq!(point_now["status"], "done");
}

async fn citations_that_cannot_be_used_are_refused_at_their_fields(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let point = point(&app, true).await;
    let id = point["id"].as_str().unwrap();
    account(&app, "kari@kommune.no", "Kari Nordmann", Role::Editor).await;
    let mut kari = Browser::new(&app);
    kari.sign_in("kari@kommune.no", PASSWORD).await;
    let uri = format!("/vedtakspunkter/{id}");
    let page = kari.get(&uri).await;
    let cases: [(&str, &str, &str, &str, &str); 5] = [
        (
            "ASU",
            "sak tjue",
            "",
            "rapportert-sak",
            "«sak tjue» er ikke et saksnummer",
        ),
        (
            "ASU",
            "",
            "i august",
            "rapportert-mote",
            "«i august» er ikke en dato",
        ),
        ("ASU", "24/24", "19.06.2024", "rapportert-sak", "ikke begge"),
        (
            "ASU",
            "99/24",
            "",
            "rapportert-sak",
            "ASU har ingen sak 99/24 i loggen",
        ),
        (
            "ASU",
            "",
            "01.01.2024",
            "rapportert-mote",
            "ASU har ikke noe møte 01.01.2024 i loggen",
        ),
    ];
    for (committee, case, meeting, field, message) in cases {
        let answer = kari
            .save_point(
                &uri,
                &page,
                &[
                    ("status", "in_progress"),
                    ("rapportert_utvalg", committee),
                    ("rapportert_sak", case),
                    ("rapportert_mote", meeting),
                ],
            )
            .await;
        let text = answer.text();
        assert_eq!(answer.status(), 422, "{case} {meeting}: {text}");
        assert!(text.contains(message), "{message}: {text}");
        assert!(text.contains(&format!("href=\"#felt-{field}\"")), "{field}");
        assert!(
            text.contains(&format!("value=\"{case}\""))
                && text.contains(&format!("value=\"{meeting}\"")),
            "what was typed stays"
        );
    }
    let unknown_committee = kari
        .save_point(
            &uri,
            &page,
            &[
                ("status", "in_progress"),
                ("rapportert_utvalg", "XYZ"),
                ("rapportert_sak", "24/24"),
            ],
        )
        .await;
    assert_eq!(unknown_committee.status(), 422);
    assert!(
        unknown_committee
            .text()
            .contains("Utvalget XYZ finnes ikke i loggen")
    );
    let point_now = app
        .get(&format!("/api/v1/decisions/{id}"))
        .await
        .expect(200);
    assert_eq!(point_now["status"], "open", "nothing changed");
    assert_eq!(point_now["version"], point["version"]);
}

async fn a_citation_made_against_an_old_version_overwrites_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let point = point(&app, true).await;
    let id = point["id"].as_str().unwrap();
    account(&app, "kari@kommune.no", "Kari Nordmann", Role::Editor).await;
    let mut kari = Browser::new(&app);
    kari.sign_in("kari@kommune.no", PASSWORD).await;
    let uri = format!("/vedtakspunkter/{id}");
    let page = kari.get(&uri).await;
    // Meanwhile the API cites the meeting.
    app.as_(crate::helpers::Who::Editor)
        .patch_if(
            &format!("/api/v1/decisions/{id}"),
            &format!("\"{}\"", point["version"]),
            &serde_json::json!({"status": "in_progress", "evidence": {"meeting_date": "2024-06-19"}}),
        )
        .await
        .expect(200);
    let late = kari
        .save_point(
            &uri,
            &page,
            &[
                ("status", "open"),
                ("rapportert_utvalg", "ASU"),
                ("rapportert_sak", "24/24"),
                ("rapportert_mote", ""),
            ],
        )
        .await;
    assert_eq!(late.status(), 409, "{}", late.text());
    let text = late.text();
    assert!(
        text.contains("<dt>Rapportert i</dt><dd>ASU-møtet 19.06.2024</dd>"),
        "their citation: {text}"
    );
    assert!(
        text.contains("<dt>Rapportert i</dt><dd>ASU sak 24/24</dd>"),
        "what Kari typed: {text}"
    );
    assert!(
        text.contains("name=\"rapportert_sak\" value=\"24/24\""),
        "kept in the form"
    );
    let cited = evidence(&app, id).await;
    assert_eq!(
        cited["meeting_date"], "2024-06-19",
        "nothing overwritten: {cited}"
    );
}

on_both_backends!(
    an_editor_changes_the_owners_and_unknown_ones_are_refused_at_the_field,
    a_second_editor_changing_owners_sees_the_first_ones_change,
    an_editor_cites_where_a_change_was_reported_and_clears_it,
    citations_that_cannot_be_used_are_refused_at_their_fields,
    a_citation_made_against_an_old_version_overwrites_nothing,
);
