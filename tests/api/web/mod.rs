//! The pages, driven over HTTP as a browser without JavaScript would: sign in, follow the
//! forms, and check what the pages say and what the store then holds.

use std::collections::HashMap;

use actix_web::test::TestRequest;
use serde_json::Value;
use vedtakslogg::api::auth::AccessSettings;
use vedtakslogg::config::Backend;
use vedtakslogg::domain::Role;
use vedtakslogg::store::users::{self, NewUser};

use crate::helpers::{TestApp, TestResponse, Who};
use crate::on_both_backends;

mod admin;
mod case;
mod decision;
mod decisions;
mod importer;
mod meetings;
mod owners;

pub(super) const PASSWORD: &str = "et langt passord";

/// A browser: keeps the cookies the pages set and sends them back.
pub(super) struct Browser<'a> {
    app: &'a TestApp,
    pub(super) cookies: HashMap<String, String>,
}

impl<'a> Browser<'a> {
    pub(super) fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            cookies: HashMap::new(),
        }
    }

    fn keep_cookies(&mut self, response: &TestResponse) {
        for value in response.headers.get_all("set-cookie") {
            let cookie =
                actix_web::cookie::Cookie::parse(value.to_str().unwrap().to_owned()).unwrap();
            if cookie.value().is_empty() {
                self.cookies.remove(cookie.name());
            } else {
                self.cookies
                    .insert(cookie.name().to_owned(), cookie.value().to_owned());
            }
        }
    }

    /// A request as a browser sends it: asking for HTML, with the cookies it holds.
    fn with_cookies(&self, request: TestRequest) -> TestRequest {
        let request =
            request.insert_header(("accept", "text/html,application/xhtml+xml,*/*;q=0.8"));
        let header: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if header.is_empty() {
            request
        } else {
            request.insert_header(("cookie", header.join("; ")))
        }
    }

    pub(super) async fn get(&mut self, uri: &str) -> Page {
        let request = self.with_cookies(TestRequest::get().uri(uri));
        let response = self.app.as_(Who::Anonymous).send(request).await;
        self.keep_cookies(&response);
        Page(response)
    }

    pub(super) async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Page {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let request = self.with_cookies(
            TestRequest::post()
                .uri(uri)
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload(body),
        );
        let response = self.app.as_(Who::Anonymous).send(request).await;
        self.keep_cookies(&response);
        Page(response)
    }

    /// Sends a form with a file (`multipart/form-data`), as a browser sends the import form:
    /// the text fields, then the file as (field, file name, content).
    pub(super) async fn post_file(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Page {
        const BOUNDARY: &str = "----vedtaksloggTestGrense7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        let (field, file_name, content) = file;
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let request = self.with_cookies(
            TestRequest::post()
                .uri(uri)
                .insert_header((
                    "content-type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                ))
                .set_payload(body),
        );
        let response = self.app.as_(Who::Anonymous).send(request).await;
        self.keep_cookies(&response);
        Page(response)
    }

    /// Sends the edit form of a point as `page` showed it (its CSRF token and version), with
    /// these fields.
    pub(super) async fn save_point(
        &mut self,
        uri: &str,
        page: &Page,
        fields: &[(&str, &str)],
    ) -> Page {
        let (csrf, version) = (page.csrf(), page.field("versjon"));
        let mut all = vec![("csrf", csrf.as_str()), ("versjon", version.as_str())];
        all.extend_from_slice(fields);
        self.post(uri, &all).await
    }

    /// Signs in through the form, as a person would.
    pub(super) async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        let form = self.get("/logg-inn").await;
        assert_eq!(form.0.status, 200, "{}", form.text());
        let csrf = form.csrf();
        self.post(
            "/logg-inn",
            &[
                ("csrf", &csrf),
                ("neste", "/"),
                ("epost", email),
                ("passord", password),
            ],
        )
        .await
    }
}

/// A page as the browser got it.
pub(super) struct Page(pub(super) TestResponse);

impl Page {
    pub(super) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.body).into_owned()
    }

    pub(super) fn status(&self) -> u16 {
        self.0.status.as_u16()
    }

    pub(super) fn location(&self) -> &str {
        self.0.header("location").unwrap_or_default()
    }

    /// The value of a hidden field of the first form that has it.
    pub(super) fn field(&self, name: &str) -> String {
        let text = self.text();
        let marker = format!("name=\"{name}\" value=\"");
        let start = text
            .find(&marker)
            .unwrap_or_else(|| panic!("no field {name} in {text}"))
            + marker.len();
        text[start..start + text[start..].find('"').unwrap()].to_owned()
    }

    pub(super) fn csrf(&self) -> String {
        self.field("csrf")
    }
}

/// Makes a case or point (by its API path) not public.
pub(super) async fn hide(app: &TestApp, uri: &str) {
    app.patch(uri, &serde_json::json!({"public": false}))
        .await
        .expect(200);
}

/// The id of something as the API gave it.
pub(super) fn id(value: &Value) -> &str {
    value["id"].as_str().unwrap()
}

pub(super) async fn account(app: &TestApp, email: &str, name: &str, role: Role) {
    let new = NewUser {
        email: email.into(),
        name: name.into(),
        role,
        password: Some(PASSWORD.into()),
    };
    app.store
        .run(move |conn| users::create(conn, new, "test"))
        .await
        .unwrap();
}

/// A point with a deadline, owned by the secretariat; returns it as the API shows it.
pub(super) async fn point(app: &TestApp, public: bool) -> Value {
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let meeting = app.meeting("ASU", "2024-06-19").await;
    let case = app.case(&meeting, "24/24", "Status Handlingsplan").await;
    let point = app
        .decision(
            &case,
            "2",
            "assignment",
            &["Sekretariatet"],
            Some("2030-08-30"),
        )
        .await;
    if !public {
        app.patch(
            &format!("/api/v1/decisions/{}", point["id"].as_str().unwrap()),
            &serde_json::json!({"public": false}),
        )
        .await
        .expect(200);
    }
    app.get(&format!(
        "/api/v1/decisions/{}",
        point["id"].as_str().unwrap()
    ))
    .await
    .expect(200)
}

async fn an_editor_signs_in_and_changes_a_status_that_the_history_shows(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let point = point(&app, true).await;
    let id = point["id"].as_str().unwrap();
    account(&app, "Kari@Kommune.no", "Kari Nordmann", Role::Editor).await;
    let mut browser = Browser::new(&app);

    let signed_in = browser.sign_in("kari@kommune.no", PASSWORD).await;
    assert_eq!(signed_in.status(), 303, "{}", signed_in.text());
    assert_eq!(signed_in.location(), "/");
    let cookie = signed_in
        .0
        .headers
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("vl_sesjon="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let overview = browser.get("/").await;
    assert_eq!(overview.status(), 200);
    assert!(
        overview.text().contains("Kari Nordmann"),
        "the header names who is signed in"
    );
    let csp = overview.0.header("content-security-policy").unwrap();
    assert!(!csp.contains("unsafe-inline"), "{csp}");

    let list = browser.get("/vedtakspunkter?status=open").await;
    assert!(
        list.text().contains(&format!("/vedtakspunkter/{id}")),
        "{}",
        list.text()
    );

    let page = browser.get(&format!("/vedtakspunkter/{id}")).await;
    assert_eq!(page.status(), 200);
    assert!(
        page.text().contains("30.08.2030"),
        "dates are written the Norwegian way"
    );
    let saved = browser
        .post(
            &format!("/vedtakspunkter/{id}"),
            &[
                ("csrf", &page.csrf()),
                ("versjon", &page.field("versjon")),
                ("status", "in_progress"),
                ("merknad", "Første utkast til AU"),
                ("frist", "30.08.2030"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303, "{}", saved.text());
    assert_eq!(saved.location(), format!("/vedtakspunkter/{id}?lagret=1"));

    let stored = app
        .get(&format!("/api/v1/decisions/{id}"))
        .await
        .expect(200);
    assert_eq!(stored["status"], "in_progress");
    assert_eq!(stored["status_note"], "Første utkast til AU");
    assert_eq!(
        stored["deadline"], "2030-08-30",
        "an unchanged deadline stays"
    );
    assert_eq!(
        stored["updated_by"], "Kari Nordmann",
        "the history names the person"
    );
    let history = app
        .get(&format!("/api/v1/decisions/{id}/history"))
        .await
        .expect(200);
    let last = history
        .as_array()
        .and_then(|h| h.last())
        .or_else(|| history["items"].as_array().and_then(|h| h.last()))
        .cloned()
        .unwrap();
    assert_eq!(last["actor"], "Kari Nordmann");
    assert_eq!(last["changes"]["status"]["to"], "in_progress");

    let after = browser.get(saved.location()).await.text();
    assert!(after.contains("Endringen er lagret"));
    assert!(
        after.contains("Status: Åpen → Pågår"),
        "the timeline shows the change: {after}"
    );
    assert!(after.contains("av Kari Nordmann"));

    // Signing out ends the session in the database: the old cookie no longer opens pages.
    let old = browser.cookies.clone();
    let out = browser
        .post("/logg-ut", &[("csrf", &after_csrf(&after))])
        .await;
    assert_eq!(out.status(), 303);
    browser.cookies = old;
    let refused = browser.get("/vedtakspunkter").await;
    assert_eq!(refused.status(), 303);
    assert!(
        refused.location().starts_with("/logg-inn"),
        "{}",
        refused.location()
    );
}

fn after_csrf(text: &str) -> String {
    Page(TestResponse {
        status: actix_web::http::StatusCode::OK,
        headers: Default::default(),
        body: text.as_bytes().to_vec(),
    })
    .csrf()
}

async fn a_wrong_password_or_a_missing_csrf_token_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let point = point(&app, true).await;
    let id = point["id"].as_str().unwrap();
    account(&app, "kari@kommune.no", "Kari Nordmann", Role::Editor).await;
    let mut browser = Browser::new(&app);

    let wrong = browser.sign_in("kari@kommune.no", "ikke passordet").await;
    assert_eq!(wrong.status(), 401);
    assert!(
        wrong
            .text()
            .contains("E-postadressen eller passordet er feil")
    );
    assert!(
        wrong.text().contains("href=\"#epost\""),
        "the error summary links to the field"
    );
    assert!(!browser.cookies.contains_key("vl_sesjon"));
    let unknown = browser.sign_in("ukjent@kommune.no", PASSWORD).await;
    assert_eq!(
        unknown.status(),
        401,
        "an unknown address gets the same answer"
    );

    // The sign-in form itself refuses a post without its token.
    let forged = browser
        .post(
            "/logg-inn",
            &[
                ("neste", "/"),
                ("epost", "kari@kommune.no"),
                ("passord", PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status(), 403);
    assert!(!browser.cookies.contains_key("vl_sesjon"));

    assert_eq!(
        browser.sign_in("kari@kommune.no", PASSWORD).await.status(),
        303
    );
    let page = browser.get(&format!("/vedtakspunkter/{id}")).await;
    let version = page.field("versjon");
    for csrf in ["", "feil-kode"] {
        let refused = browser
            .post(
                &format!("/vedtakspunkter/{id}"),
                &[
                    ("csrf", csrf),
                    ("versjon", &version),
                    ("status", "done"),
                    ("merknad", "Forfalsket"),
                ],
            )
            .await;
        assert_eq!(refused.status(), 403, "{}", refused.text());
        assert!(refused.text().contains("sikkerhetskode"));
    }
    let stored = app
        .get(&format!("/api/v1/decisions/{id}"))
        .await
        .expect(200);
    assert_eq!(stored["status"], "open");
    assert_eq!(stored["version"], point["version"]);

    // A deadline that is not a date: the form comes back with the typed text and a summary.
    let refused = browser
        .post(
            &format!("/vedtakspunkter/{id}"),
            &[
                ("csrf", &page.csrf()),
                ("versjon", &version),
                ("status", "done"),
                ("merknad", "Ferdig"),
                ("frist", "i desember"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let text = refused.text();
    assert!(text.contains("href=\"#felt-frist\""), "{text}");
    assert!(text.contains("value=\"i desember\"") && text.contains(">Ferdig</textarea>"));
    assert_eq!(
        app.get(&format!("/api/v1/decisions/{id}"))
            .await
            .expect(200)["status"],
        "open"
    );
}

async fn a_reader_sees_no_edit_controls_and_a_forged_post_gets_403(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let point = point(&app, true).await;
    let id = point["id"].as_str().unwrap();
    account(&app, "au@kommune.no", "Anne Arbeidsutvalg", Role::Reader).await;
    let mut browser = Browser::new(&app);
    assert_eq!(
        browser.sign_in("au@kommune.no", PASSWORD).await.status(),
        303
    );

    assert_eq!(browser.get("/").await.status(), 200);
    let page = browser.get(&format!("/vedtakspunkter/{id}")).await;
    assert_eq!(page.status(), 200);
    assert!(
        !page.text().contains("name=\"versjon\""),
        "no edit form for a reader"
    );
    assert!(!page.text().contains("Oppdater status"));

    let forged = browser
        .post(
            &format!("/vedtakspunkter/{id}"),
            &[
                ("csrf", &page.csrf()),
                ("versjon", &point["version"].to_string()),
                ("status", "done"),
                ("merknad", "Lurt"),
            ],
        )
        .await;
    assert_eq!(forged.status(), 403);
    assert!(
        forged.text().contains("Du har ikke tilgang"),
        "{}",
        forged.text()
    );
    let stored = app
        .get(&format!("/api/v1/decisions/{id}"))
        .await
        .expect(200);
    assert_eq!(stored["status"], "open");
    assert_eq!(stored["version"], point["version"]);
}

async fn a_second_editor_sees_the_first_ones_change_and_keeps_what_they_typed(backend: Backend) {
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
        .post(
            &uri,
            &[
                ("csrf", &kari_page.csrf()),
                ("versjon", &kari_page.field("versjon")),
                ("status", "in_progress"),
                ("merknad", "Kari: startet"),
                ("frist", "30.08.2030"),
            ],
        )
        .await;
    assert_eq!(first.status(), 303);
    let second = ola
        .post(
            &uri,
            &[
                ("csrf", &ola_page.csrf()),
                ("versjon", &ola_page.field("versjon")),
                ("status", "done"),
                ("merknad", "Ola: ferdig, rapportert til AU"),
                ("frist", "30.08.2030"),
            ],
        )
        .await;
    assert_eq!(second.status(), 409, "{}", second.text());
    let text = second.text();
    assert!(text.contains("Noen andre har endret punktet"));
    assert!(text.contains("Kari Nordmann lagret en endring"), "{text}");
    assert!(text.contains("Kari: startet"), "their change is shown");
    assert!(
        text.contains(">Ola: ferdig, rapportert til AU</textarea>"),
        "what Ola typed is kept in the form"
    );
    let stored = app
        .get(&format!("/api/v1/decisions/{id}"))
        .await
        .expect(200);
    assert_eq!(
        stored["status_note"], "Kari: startet",
        "nothing was overwritten"
    );

    // Saving again from the conflict page is a choice made with Kari's change in view.
    let again = Page(second.0);
    assert_eq!(again.field("versjon"), stored["version"].to_string());
    let third = ola
        .post(
            &uri,
            &[
                ("csrf", &again.csrf()),
                ("versjon", &again.field("versjon")),
                ("status", "done"),
                ("merknad", "Ola: ferdig, rapportert til AU"),
                ("frist", "30.08.2030"),
            ],
        )
        .await;
    assert_eq!(third.status(), 303);
    let stored = app
        .get(&format!("/api/v1/decisions/{id}"))
        .await
        .expect(200);
    assert_eq!(stored["status"], "done");
    assert_eq!(stored["updated_by"], "Ola Nordmann");
}

async fn anonymous_visitors_are_sent_to_sign_in_without_public_reading(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let point = point(&app, true).await;
    let mut browser = Browser::new(&app);
    for uri in [
        "/",
        "/vedtakspunkter?status=open",
        &format!("/vedtakspunkter/{}", point["id"].as_str().unwrap()),
    ] {
        let page = browser.get(uri).await;
        assert_eq!(page.status(), 303, "{uri}");
        let expected = format!(
            "/logg-inn?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("neste", uri)
                .finish()
        );
        assert_eq!(page.location(), expected);
    }
    let form = browser.get("/logg-inn").await;
    assert_eq!(form.status(), 200);
    assert!(form.text().contains("lang=\"nb\"") && form.text().contains("Hopp til hovedinnholdet"));
    // Other hosts are never where a sign-in leads.
    account(&app, "kari@kommune.no", "Kari Nordmann", Role::Editor).await;
    let csrf = form.csrf();
    let signed_in = browser
        .post(
            "/logg-inn",
            &[
                ("csrf", &csrf),
                ("neste", "//evil.example/"),
                ("epost", "kari@kommune.no"),
                ("passord", PASSWORD),
            ],
        )
        .await;
    assert_eq!(signed_in.location(), "/");
}

async fn public_reading_never_shows_a_point_that_is_not_public(backend: Backend) {
    let app = TestApp::spawn_with(backend, AccessSettings { public_read: true }).await;
    let hidden = point(&app, false).await;
    let hidden_id = hidden["id"].as_str().unwrap();
    let case = app
        .get(&format!(
            "/api/v1/cases/{}",
            hidden["case"]["id"].as_str().unwrap()
        ))
        .await
        .expect(200);
    let shown = app.decision(&case, "3", "assignment", &["AU"], None).await;
    let shown_id = shown["id"].as_str().unwrap();
    let mut browser = Browser::new(&app);

    let list = browser.get("/vedtakspunkter").await;
    assert_eq!(list.status(), 200);
    assert!(list.text().contains(shown_id));
    assert!(
        !list.text().contains(hidden_id),
        "a point exempt from public access is not listed"
    );
    assert!(!list.text().contains("Logg ut"));
    assert_eq!(
        browser
            .get(&format!("/vedtakspunkter/{shown_id}"))
            .await
            .status(),
        200
    );
    let page = browser.get(&format!("/vedtakspunkter/{hidden_id}")).await;
    assert_eq!(page.status(), 404);
    assert!(page.text().contains("Siden finnes ikke"));
    let overview = browser.get("/").await.text();
    assert!(
        overview.contains(
            "<span class=\"vl-figure__number\">1</span><span class=\"vl-figure__label\">Åpne</span>"
        ),
        "only the public point is counted: {overview}"
    );

    // Signed in, the same person sees both.
    account(&app, "au@kommune.no", "Anne Arbeidsutvalg", Role::Reader).await;
    browser.sign_in("au@kommune.no", PASSWORD).await;
    assert!(
        browser
            .get("/vedtakspunkter")
            .await
            .text()
            .contains(hidden_id)
    );
}

async fn error_pages_are_in_norwegian_and_assets_are_cached_by_hash(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut browser = Browser::new(&app);
    let missing = browser.get("/finnes-ikke").await;
    assert_eq!(missing.status(), 404);
    assert!(
        missing
            .0
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(missing.text().contains("Siden finnes ikke"));
    assert_eq!(
        app.get("/api/v1/finnes-ikke").await.header("content-type"),
        Some("application/problem+json"),
        "the API keeps its problems"
    );

    let form = browser.get("/logg-inn").await.text();
    let stylesheet = form
        .split("href=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .find(|href| href.starts_with("/assets/"))
        .unwrap()
        .to_owned();
    let css = browser.get(&stylesheet).await;
    assert_eq!(css.status(), 200);
    assert_eq!(
        css.0.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let stale = stylesheet.replacen("/assets/", "/assets/0000", 1);
    assert_eq!(
        browser.get(&stale).await.status(),
        404,
        "an old hash is not served today's file"
    );

    // A page whose list link is broken says so in Norwegian, as a page.
    account(&app, "kari@kommune.no", "Kari Nordmann", Role::Editor).await;
    browser.sign_in("kari@kommune.no", PASSWORD).await;
    let broken = browser.get("/vedtakspunkter?side=%%%").await;
    assert_eq!(broken.status(), 400);
    assert!(broken.text().contains("Forespørselen kunne ikke forstås"));
    let bad_filter = browser.get("/vedtakspunkter?frist_til=snart").await;
    assert_eq!(bad_filter.status(), 400);
    assert!(bad_filter.text().contains("«snart» er ikke en dato"));
    assert_eq!(
        browser.get("/vedtakspunkter/ikke-en-id").await.status(),
        404
    );
}

on_both_backends!(
    an_editor_signs_in_and_changes_a_status_that_the_history_shows,
    a_wrong_password_or_a_missing_csrf_token_changes_nothing,
    a_reader_sees_no_edit_controls_and_a_forged_post_gets_403,
    a_second_editor_sees_the_first_ones_change_and_keeps_what_they_typed,
    anonymous_visitors_are_sent_to_sign_in_without_public_reading,
    public_reading_never_shows_a_point_that_is_not_public,
    error_pages_are_in_norwegian_and_assets_are_cached_by_hash,
    a_form_sent_after_the_session_ended_saves_nothing_and_shows_what_was_typed,
);

async fn a_form_sent_after_the_session_ended_saves_nothing_and_shows_what_was_typed(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let point = point(&app, true).await;
    let id = point["id"].as_str().unwrap();
    account(&app, "kari@kommune.no", "Kari Nordmann", Role::Editor).await;
    let mut browser = Browser::new(&app);
    assert_eq!(
        browser.sign_in("kari@kommune.no", PASSWORD).await.status(),
        303
    );
    let page = browser.get(&format!("/vedtakspunkter/{id}")).await;
    // The session runs out while the form is open.
    app.store
        .run_blocking(|conn| {
            use diesel::RunQueryDsl;
            diesel::sql_query("UPDATE sessions SET expires_at = '2000-01-01 00:00:00'")
                .execute(conn)?;
            Ok(())
        })
        .unwrap();
    let typed = "Kari: første utkast <sendt> til AU";
    let answer = browser
        .post(
            &format!("/vedtakspunkter/{id}"),
            &[
                ("csrf", &page.csrf()),
                ("versjon", &page.field("versjon")),
                ("status", "in_progress"),
                ("merknad", typed),
                ("frist", "30.08.2030"),
            ],
        )
        .await;
    assert_eq!(answer.status(), 403, "{}", answer.text());
    let text = answer.text();
    assert!(text.contains("Du er ikke lenger logget inn"), "{text}");
    assert!(
        text.contains("Kari: første utkast &#60;sendt&#62; til AU") && text.contains("Pågår"),
        "what was typed is shown, escaped: {text}"
    );
    assert!(
        text.contains(&format!("/logg-inn?neste=%2Fvedtakspunkter%2F{id}")),
        "{text}"
    );
    let stored = app
        .get(&format!("/api/v1/decisions/{id}"))
        .await
        .expect(200);
    assert_eq!(stored["status"], "open", "nothing was saved");
    assert_eq!(stored["version"], point["version"]);
}
