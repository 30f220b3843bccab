//! The owner registry page `/ansvarlige`: owners with their spellings; editors register
//! owners and add spellings.

use vedtakslogg::config::Backend;
use vedtakslogg::domain::Role;

use super::{Browser, PASSWORD, account};
use crate::helpers::TestApp;
use crate::on_both_backends;
use serde_json::json;

/// The owners the log starts with, and two more.
const OWNERS: usize = 15 + 2;

async fn registry(app: &TestApp) {
    for (name, aliases) in [
        ("Øvingsgruppen", vec![]),
        ("Åpenhetsgruppen", vec!["Åpenhet"]),
    ] {
        app.post(
            "/api/v1/owners",
            &json!({"name": name, "kind": "body", "aliases": aliases}),
        )
        .await
        .expect(201);
    }
}

async fn aliases_of(app: &TestApp, owner: &str) -> Vec<String> {
    let owner = app
        .get(&format!("/api/v1/owners/{owner}"))
        .await
        .expect(200);
    owner["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect()
}

async fn editors_register_owners_and_add_spellings_without_losing_each_others(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    registry(&app).await;
    account(&app, "kari@kommune.no", "Kari Nordmann", Role::Editor).await;
    account(&app, "ola@kommune.no", "Ola Nordmann", Role::Editor).await;
    let (mut kari, mut ola) = (Browser::new(&app), Browser::new(&app));
    kari.sign_in("kari@kommune.no", PASSWORD).await;
    ola.sign_in("ola@kommune.no", PASSWORD).await;

    let page = kari.get("/ansvarlige").await;
    assert_eq!(page.status(), 200, "{}", page.text());
    let text = page.text();
    let order: Vec<usize> = [
        "Analysegruppen",
        "Sekretariatet",
        "Øvingsgruppen",
        "Åpenhetsgruppen",
    ]
    .iter()
    .map(|name| text.find(&format!("<th scope=\"row\">{name}")).unwrap())
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "Norwegian order, Æ Ø Å last: {order:?}"
    );
    assert!(
        text.contains("Analysegruppa, Analysegruppe"),
        "the spellings are shown"
    );

    let owner = app
        .get("/api/v1/owners/%C3%98vingsgruppen")
        .await
        .expect(200);
    let owner_id = owner["id"].as_str().unwrap();
    // Both open the page, then both add a spelling to the same owner: both are kept.
    let ola_page = ola.get("/ansvarlige").await;
    let first = kari
        .post(
            "/ansvarlige/stavemate",
            &[
                ("csrf", &page.csrf()),
                ("ansvarlig", owner_id),
                ("stavemate", "Øvingsgruppa"),
            ],
        )
        .await;
    assert_eq!(first.status(), 303, "{}", first.text());
    assert_eq!(first.location(), "/ansvarlige?lagret=stavemate");
    let second = ola
        .post(
            "/ansvarlige/stavemate",
            &[
                ("csrf", &ola_page.csrf()),
                ("ansvarlig", owner_id),
                ("stavemate", "Øvelsesgruppa"),
            ],
        )
        .await;
    assert_eq!(second.status(), 303, "{}", second.text());
    let mut aliases = aliases_of(&app, "%C3%98vingsgruppen").await;
    aliases.sort();
    assert_eq!(
        aliases,
        ["Øvelsesgruppa", "Øvingsgruppa"],
        "neither lost the other's"
    );
    assert!(
        kari.get("/ansvarlige?lagret=stavemate")
            .await
            .text()
            .contains("Stavemåten er lagt til")
    );

    let created = kari
        .post(
            "/ansvarlige",
            &[
                ("csrf", &page.csrf()),
                ("navn", "Kvalitetsgruppen"),
                ("type", "body"),
                ("stavemater", "Kvalitetsgruppa\nkvalitets-gruppen"),
            ],
        )
        .await;
    assert_eq!(created.status(), 303, "{}", created.text());
    let owner = app.get("/api/v1/owners/kvalitetsgruppa").await.expect(200);
    assert_eq!(owner["name"], "Kvalitetsgruppen");
    assert_eq!(
        owner["updated_by"], "Kari Nordmann",
        "the history names the person"
    );
}

async fn a_spelling_that_is_another_owners_or_empty_is_refused_and_kept_in_the_form(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    registry(&app).await;
    account(&app, "kari@kommune.no", "Kari Nordmann", Role::Editor).await;
    let mut kari = Browser::new(&app);
    kari.sign_in("kari@kommune.no", PASSWORD).await;
    let csrf = kari.get("/ansvarlige").await.csrf();
    let owner = app
        .get("/api/v1/owners/%C3%98vingsgruppen")
        .await
        .expect(200);
    let owner_id = owner["id"].as_str().unwrap();

    let taken = kari
        .post(
            "/ansvarlige/stavemate",
            &[
                ("csrf", &csrf),
                ("ansvarlig", owner_id),
                ("stavemate", "au"),
            ],
        )
        .await;
    assert_eq!(taken.status(), 422);
    let text = taken.text();
    assert!(
        text.contains("«au» er allerede navn eller stavemåte for AU"),
        "{text}"
    );
    assert!(
        text.contains("href=\"#felt-stavemate\""),
        "the summary links to the field"
    );
    assert!(text.contains("value=\"au\""), "what was typed stays");
    assert!(aliases_of(&app, "%C3%98vingsgruppen").await.is_empty());

    let empty = kari
        .post(
            "/ansvarlige/stavemate",
            &[
                ("csrf", &csrf),
                ("ansvarlig", owner_id),
                ("stavemate", "  "),
            ],
        )
        .await;
    assert_eq!(empty.status(), 422);
    assert!(empty.text().contains("Skriv stavemåten"));
    let no_owner = kari
        .post(
            "/ansvarlige/stavemate",
            &[("csrf", &csrf), ("stavemate", "X-gruppa")],
        )
        .await;
    assert_eq!(no_owner.status(), 422);
    assert!(no_owner.text().contains("href=\"#felt-ansvarlig\""));
    let unknown = kari
        .post(
            "/ansvarlige/stavemate",
            &[
                ("csrf", &csrf),
                ("ansvarlig", "7b3c3bd5-5e8e-4a58-9a64-1a0b8f9c2d11"),
                ("stavemate", "X"),
            ],
        )
        .await;
    assert_eq!(unknown.status(), 404);

    let twice = kari
        .post(
            "/ansvarlige",
            &[("csrf", &csrf), ("navn", "Analysegruppa"), ("type", "body")],
        )
        .await;
    assert_eq!(twice.status(), 422);
    assert!(
        twice
            .text()
            .contains("«Analysegruppa» er allerede navn eller stavemåte for Analysegruppen")
    );
    let nameless = kari
        .post(
            "/ansvarlige",
            &[("csrf", &csrf), ("navn", ""), ("type", "tull")],
        )
        .await;
    assert_eq!(nameless.status(), 422);
    assert!(
        nameless.text().contains("href=\"#felt-navn\"")
            && nameless.text().contains("href=\"#felt-type\"")
    );
    let owners = app.get("/api/v1/owners").await.expect(200);
    assert_eq!(
        owners.as_array().unwrap().len(),
        OWNERS,
        "nothing was registered"
    );

    let no_csrf = kari
        .post("/ansvarlige", &[("navn", "Ny gruppe"), ("type", "body")])
        .await;
    assert_eq!(no_csrf.status(), 403);
}

async fn a_reader_sees_the_registry_without_forms_and_a_forged_post_gets_403(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    registry(&app).await;
    account(&app, "au@kommune.no", "Anne Arbeidsutvalg", Role::Reader).await;
    let mut reader = Browser::new(&app);
    reader.sign_in("au@kommune.no", PASSWORD).await;
    let page = reader.get("/ansvarlige").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().contains("Øvingsgruppen"));
    assert!(
        !page.text().contains("action=\"/ansvarlige"),
        "no forms for a reader"
    );
    for (path, fields) in [
        ("/ansvarlige", vec![("navn", "Ny gruppe"), ("type", "body")]),
        (
            "/ansvarlige/stavemate",
            vec![("ansvarlig", "Øvingsgruppen"), ("stavemate", "Lurt")],
        ),
    ] {
        let mut fields = fields;
        let csrf = page.csrf();
        fields.push(("csrf", &csrf));
        let forged = reader.post(path, &fields).await;
        assert_eq!(forged.status(), 403, "{path}");
    }
    assert!(aliases_of(&app, "%C3%98vingsgruppen").await.is_empty());
    assert_eq!(
        app.get("/api/v1/owners")
            .await
            .expect(200)
            .as_array()
            .unwrap()
            .len(),
        OWNERS
    );
}

on_both_backends!(
    editors_register_owners_and_add_spellings_without_losing_each_others,
    a_spelling_that_is_another_owners_or_empty_is_refused_and_kept_in_the_form,
    a_reader_sees_the_registry_without_forms_and_a_forged_post_gets_403,
);
