//! The admin pages: `/brukere` (accounts) and `/api-nokler` (API tokens).

use vedtakslogg::config::Backend;
use vedtakslogg::domain::Role;
use vedtakslogg::store::{tokens, users};

use super::{Browser, PASSWORD, account};
use crate::helpers::TestApp;
use crate::on_both_backends;

const ADMIN: &str = "admin@kommune.no";

async fn the_account(app: &TestApp, email: &str) -> users::User {
    let email = email.to_owned();
    app.store
        .run(users::list)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == email)
        .expect("the account exists")
}

async fn an_admin_creates_accounts_changes_roles_disables_and_ends_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    account(&app, ADMIN, "Ada Admin", Role::Admin).await;
    account(&app, "au@kommune.no", "Anne Arbeidsutvalg", Role::Reader).await;
    let mut admin = Browser::new(&app);
    admin.sign_in(ADMIN, PASSWORD).await;
    let mut anne = Browser::new(&app);
    anne.sign_in("au@kommune.no", PASSWORD).await;

    let page = admin.get("/brukere").await;
    assert_eq!(page.status(), 200, "{}", page.text());
    assert!(page.text().contains("Anne Arbeidsutvalg") && page.text().contains("au@kommune.no"));
    assert!(
        page.text().contains("href=\"/api-nokler\""),
        "the menu has the admin pages"
    );
    let csrf = page.csrf();

    let created = admin
        .post(
            "/brukere",
            &[
                ("csrf", &csrf),
                ("navn", "Kari Nordmann"),
                ("epost", "Kari@Kommune.no"),
                ("rolle", "editor"),
                ("passord", "et nytt langt passord"),
            ],
        )
        .await;
    assert_eq!(created.status(), 303, "{}", created.text());
    let mut kari = Browser::new(&app);
    assert_eq!(
        kari.sign_in("kari@kommune.no", "et nytt langt passord")
            .await
            .status(),
        303,
        "the new account signs in"
    );

    let anne_id = the_account(&app, "au@kommune.no").await.id.to_string();
    let promoted = admin
        .post(
            &format!("/brukere/{anne_id}"),
            &[("csrf", &csrf), ("handling", "rolle"), ("rolle", "editor")],
        )
        .await;
    assert_eq!(promoted.status(), 303);
    assert_eq!(the_account(&app, "au@kommune.no").await.role, Role::Editor);
    assert!(
        anne.get("/ansvarlige")
            .await
            .text()
            .contains("action=\"/ansvarlige\""),
        "the new role holds from the person's next page"
    );

    let ended = admin
        .post(
            &format!("/brukere/{anne_id}"),
            &[("csrf", &csrf), ("handling", "avslutt")],
        )
        .await;
    assert_eq!(ended.status(), 303);
    let out = anne.get("/").await;
    assert_eq!(out.status(), 303, "her session was ended");
    assert!(out.location().starts_with("/logg-inn"));

    let disabled = admin
        .post(
            &format!("/brukere/{anne_id}"),
            &[("csrf", &csrf), ("handling", "deaktiver")],
        )
        .await;
    assert_eq!(disabled.status(), 303);
    assert!(
        the_account(&app, "au@kommune.no")
            .await
            .disabled_at
            .is_some()
    );
    assert_ne!(
        anne.sign_in("au@kommune.no", PASSWORD).await.location(),
        "/",
        "a disabled account cannot sign in"
    );
    let enabled = admin
        .post(
            &format!("/brukere/{anne_id}"),
            &[("csrf", &csrf), ("handling", "aktiver")],
        )
        .await;
    assert_eq!(enabled.status(), 303);
    assert_eq!(
        anne.sign_in("au@kommune.no", PASSWORD).await.location(),
        "/"
    );
}

async fn bad_accounts_are_refused_at_their_fields_and_the_last_admin_stays(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    account(&app, ADMIN, "Ada Admin", Role::Admin).await;
    account(&app, "au@kommune.no", "Anne Arbeidsutvalg", Role::Reader).await;
    let mut admin = Browser::new(&app);
    admin.sign_in(ADMIN, PASSWORD).await;
    let csrf = admin.get("/brukere").await.csrf();

    let bad = admin
        .post(
            "/brukere",
            &[
                ("csrf", &csrf),
                ("navn", ""),
                ("epost", "ikke en adresse"),
                ("rolle", "sjef"),
                ("passord", "kort"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let text = bad.text();
    for field in ["felt-navn", "felt-epost", "felt-rolle", "felt-passord"] {
        assert!(
            text.contains(&format!("href=\"#{field}\"")),
            "{field}: {text}"
        );
    }
    assert!(
        text.contains("value=\"ikke en adresse\""),
        "what was typed stays"
    );
    assert!(!text.contains("value=\"kort\""), "but never the password");
    let taken = admin
        .post(
            "/brukere",
            &[
                ("csrf", &csrf),
                ("navn", "Anne To"),
                ("epost", "AU@kommune.no"),
                ("rolle", "reader"),
                ("passord", "et langt passord"),
            ],
        )
        .await;
    assert_eq!(taken.status(), 422);
    assert!(
        taken
            .text()
            .contains("Det finnes allerede en konto med adressen")
    );
    assert_eq!(app.store.run(users::list).await.unwrap().len(), 2);

    // Two admins would be fine; the only one cannot step down or be disabled.
    let me = the_account(&app, ADMIN).await.id.to_string();
    for fields in [
        vec![("handling", "rolle"), ("rolle", "reader")],
        vec![("handling", "deaktiver")],
    ] {
        let mut fields = fields;
        fields.push(("csrf", &csrf));
        let refused = admin.post(&format!("/brukere/{me}"), &fields).await;
        assert_eq!(refused.status(), 409, "{}", refused.text());
        assert!(refused.text().contains("den siste administratoren"));
    }
    let still = the_account(&app, ADMIN).await;
    assert_eq!(still.role, Role::Admin);
    assert!(still.disabled_at.is_none());

    assert_eq!(
        admin
            .post(
                "/brukere/ikke-en-konto",
                &[("csrf", &csrf), ("handling", "avslutt")]
            )
            .await
            .status(),
        404
    );
    assert_eq!(
        admin
            .post(&format!("/brukere/{me}"), &[("handling", "avslutt")])
            .await
            .status(),
        403,
        "no CSRF token"
    );
}

async fn readers_and_editors_get_the_403_page_on_the_admin_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    account(&app, "kari@kommune.no", "Kari Nordmann", Role::Editor).await;
    let mut kari = Browser::new(&app);
    kari.sign_in("kari@kommune.no", PASSWORD).await;
    let csrf = kari.get("/").await.csrf();
    assert!(!kari.get("/").await.text().contains("href=\"/brukere\""));
    for path in ["/brukere", "/api-nokler"] {
        let page = kari.get(path).await;
        assert_eq!(page.status(), 403, "{path}");
        assert!(page.text().contains("Du har ikke tilgang"));
    }
    let forged = kari
        .post(
            "/brukere",
            &[
                ("csrf", &csrf),
                ("navn", "Lurt"),
                ("epost", "lurt@kommune.no"),
                ("rolle", "admin"),
                ("passord", "et langt passord"),
            ],
        )
        .await;
    assert_eq!(forged.status(), 403);
    let forged = kari
        .post(
            "/api-nokler",
            &[("csrf", &csrf), ("navn", "Lurt"), ("rolle", "admin")],
        )
        .await;
    assert_eq!(forged.status(), 403);
    assert_eq!(app.store.run(users::list).await.unwrap().len(), 1);
    assert!(
        app.store
            .run(tokens::list)
            .await
            .unwrap()
            .iter()
            .all(|t| t.name != "Lurt")
    );
}

async fn an_admin_makes_a_token_sees_its_secret_once_and_revokes_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    account(&app, ADMIN, "Ada Admin", Role::Admin).await;
    let mut admin = Browser::new(&app);
    admin.sign_in(ADMIN, PASSWORD).await;
    let page = admin.get("/api-nokler").await;
    assert_eq!(page.status(), 200, "{}", page.text());
    let csrf = page.csrf();

    let made = admin
        .post(
            "/api-nokler",
            &[("csrf", &csrf), ("navn", "Arkivet"), ("rolle", "reader")],
        )
        .await;
    assert_eq!(made.status(), 201, "{}", made.text());
    let text = made.text();
    let start = text.find("<code class=\"vl-secret\">").unwrap() + 24;
    let secret = &text[start..start + text[start..].find('<').unwrap()];
    assert!(secret.starts_with("vl_"), "{secret}");
    assert_eq!(made.0.header("cache-control"), Some("no-store"));
    let s = secret.to_owned();
    let caller = app
        .store
        .run(move |conn| tokens::authenticate(conn, &s))
        .await
        .unwrap()
        .expect("the secret works");
    assert_eq!(caller.name, "Arkivet");
    assert!(
        !admin.get("/api-nokler").await.text().contains(secret),
        "shown only once"
    );

    let twice = admin
        .post(
            "/api-nokler",
            &[("csrf", &csrf), ("navn", "Arkivet"), ("rolle", "reader")],
        )
        .await;
    assert_eq!(twice.status(), 422);
    assert!(
        twice
            .text()
            .contains("En aktiv nøkkel heter allerede «Arkivet»")
    );
    let nameless = admin
        .post(
            "/api-nokler",
            &[("csrf", &csrf), ("navn", " "), ("rolle", "reader")],
        )
        .await;
    assert_eq!(nameless.status(), 422);
    assert!(nameless.text().contains("href=\"#felt-navn\""));

    let id = app
        .store
        .run(tokens::list)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "Arkivet")
        .unwrap()
        .id;
    let revoked = admin
        .post(&format!("/api-nokler/{id}"), &[("csrf", &csrf)])
        .await;
    assert_eq!(revoked.status(), 303);
    let s = secret.to_owned();
    assert!(
        app.store
            .run(move |conn| tokens::authenticate(conn, &s))
            .await
            .unwrap()
            .is_none(),
        "a revoked token is refused"
    );
    assert!(
        admin
            .get(revoked.location())
            .await
            .text()
            .contains("trukket tilbake")
    );
    assert_eq!(
        admin
            .post(
                "/api-nokler/7b3c3bd5-5e8e-4a58-9a64-1a0b8f9c2d11",
                &[("csrf", &csrf)]
            )
            .await
            .status(),
        404
    );
}

on_both_backends!(
    an_admin_creates_accounts_changes_roles_disables_and_ends_sessions,
    bad_accounts_are_refused_at_their_fields_and_the_last_admin_stays,
    readers_and_editors_get_the_403_page_on_the_admin_pages,
    an_admin_makes_a_token_sees_its_secret_once_and_revokes_it,
);
