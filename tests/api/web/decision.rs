//! Owners changed on the point page `/vedtakspunkter/{id}`.

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

on_both_backends!(
    an_editor_changes_the_owners_and_unknown_ones_are_refused_at_the_field,
    a_second_editor_changing_owners_sees_the_first_ones_change,
);
