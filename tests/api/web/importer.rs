//! The import page `/importer`: a file chosen, its preview, and the confirmation that imports it
//! without sending the file again; and everything that must not import.

use vedtakslogg::config::Backend;
use vedtakslogg::domain::Role;

use super::{Browser, PASSWORD, Page, account};
use crate::helpers::TestApp;
use crate::on_both_backends;

const MINUTES_DOCX: &[u8] = include_bytes!("../../fixtures/asu-2024-06-19-referat.docx");
const NOTICE_TXT: &[u8] = include_bytes!("../../fixtures/asu-2024-08-30-innkalling.txt");

/// How many decision points the log holds (as an admin's token sees them).
async fn points(app: &TestApp, filter: &str) -> usize {
    app.get(&format!("/api/v1/decisions?limit=200&{filter}"))
        .await
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .len()
}

/// How many documents wait for a confirmation.
async fn pending(app: &TestApp) -> i64 {
    app.store
        .run_blocking(|conn| {
            use diesel::prelude::*;
            use vedtakslogg::store::schema::pending_imports;
            Ok(pending_imports::table.count().get_result::<i64>(conn)?)
        })
        .unwrap()
}

/// The id in the confirmation form of a preview.
fn pending_id(preview: &Page) -> String {
    let text = preview.text();
    let marker = "action=\"/importer/";
    let start = text
        .find(marker)
        .unwrap_or_else(|| panic!("a confirmation form in {text}"))
        + marker.len();
    text[start..start + 36].to_owned()
}

/// Signs in an editor and uploads `file` (name, content) as `kind` from the import form.
async fn upload<'a>(
    browser: &mut Browser<'a>,
    kind: &str,
    file_name: &str,
    content: &[u8],
) -> Page {
    let form = browser.get("/importer").await;
    assert_eq!(form.status(), 200, "{}", form.text());
    let csrf = form.csrf();
    browser
        .post_file(
            "/importer",
            &[("csrf", &csrf), ("type", kind)],
            ("dokument", file_name, content),
        )
        .await
}

async fn editor<'a>(app: &'a TestApp, email: &str, name: &str) -> Browser<'a> {
    account(app, email, name, Role::Editor).await;
    let mut browser = Browser::new(app);
    assert_eq!(browser.sign_in(email, PASSWORD).await.status(), 303);
    browser
}

async fn an_editor_previews_the_minutes_and_confirms_them_without_sending_the_file_again(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let mut kari = editor(&app, "kari@kommune.no", "Kari Nordmann").await;
    let overview = kari.get("/").await;
    assert!(
        overview.text().contains("href=\"/importer\""),
        "editors find Importer in the navigation"
    );
    let form = kari.get("/importer").await;
    let text = form.text();
    assert!(text.contains("enctype=\"multipart/form-data\""), "{text}");
    assert!(text.contains("type=\"file\"") && text.contains("name=\"dokument\""));
    assert!(text.contains("value=\"referat\"") && text.contains("value=\"innkalling\""));

    let preview = upload(&mut kari, "auto", "ASU referat 19.06.24.docx", MINUTES_DOCX).await;
    assert_eq!(preview.status(), 200, "{}", preview.text());
    let text = preview.text();
    for expected in [
        "Forhåndsvisning: møtereferat ASU 19.06.2024",
        "«ASU referat 19.06.24.docx»",
        "Sak 24/24",
        "24/24-2",
        "ber sekretariatet utarbeide en vedtakslogg",
        "Opprettes",
        "Sekretariatet",
    ] {
        assert!(
            text.contains(expected),
            "the preview shows {expected}:\n{text}"
        );
    }
    assert!(
        !text.contains("name=\"likevel\""),
        "minutes read right need no forcing"
    );
    assert_eq!(points(&app, "").await, 0, "a preview writes nothing");
    assert_eq!(
        pending(&app).await,
        1,
        "the file waits for the confirmation"
    );

    let id = pending_id(&preview);
    let confirmed = kari
        .post(&format!("/importer/{id}"), &[("csrf", &preview.csrf())])
        .await;
    assert_eq!(confirmed.status(), 303, "{}", confirmed.text());
    let location = confirmed.location().to_owned();
    assert!(
        location.starts_with("/moter/") && location.contains("importert=1"),
        "{location}"
    );
    assert_eq!(pending(&app).await, 0, "a confirmed file is not kept");

    let meeting = kari.get(&location).await;
    assert_eq!(meeting.status(), 200);
    let text = meeting.text();
    assert!(text.contains("Importen er lagret: "), "{text}");
    assert!(
        text.contains("24/24-2") && text.contains("18/24-2"),
        "{text}"
    );
    assert_eq!(
        points(&app, "status=open").await,
        8,
        "the minutes' points that need follow-up"
    );
    let history = app.get("/api/v1/imports").await.expect(200);
    assert_eq!(history[0]["created_by"], "Kari Nordmann", "{history}");

    // The same preview cannot be confirmed twice; the same file again changes nothing.
    let again = kari
        .post(&format!("/importer/{id}"), &[("csrf", &preview.csrf())])
        .await;
    assert_eq!(again.status(), 404);
    assert!(again.text().contains("Forhåndsvisningen finnes ikke"));
    let second = upload(&mut kari, "referat", "igjen.docx", MINUTES_DOCX).await;
    assert!(second.text().contains("Uendret"), "{}", second.text());
    let unchanged = kari
        .post(
            &format!("/importer/{}", pending_id(&second)),
            &[("csrf", &second.csrf())],
        )
        .await;
    assert_eq!(unchanged.status(), 303);
    assert!(unchanged.location().contains("importert=0"));
    let meeting = kari.get(unchanged.location()).await;
    assert!(
        meeting
            .text()
            .contains("Dokumentet var allerede importert: ingenting ble endret.")
    );
}

async fn a_preview_is_confirmed_only_by_its_own_account_and_within_the_hour(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut kari = editor(&app, "kari@kommune.no", "Kari Nordmann").await;
    let mut ola = editor(&app, "ola@kommune.no", "Ola Nordmann").await;
    let preview = upload(&mut kari, "auto", "referat.docx", MINUTES_DOCX).await;
    assert_eq!(preview.status(), 200, "{}", preview.text());
    let id = pending_id(&preview);

    let ola_page = ola.get("/importer").await;
    let by_another = ola
        .post(&format!("/importer/{id}"), &[("csrf", &ola_page.csrf())])
        .await;
    assert_eq!(by_another.status(), 404, "{}", by_another.text());
    assert!(
        by_another
            .text()
            .contains("den er allerede importert, eller den tilhører en annen bruker")
    );
    for unknown in ["00000000-0000-4000-8000-000000000000", "ikke-en-id"] {
        let answer = kari
            .post(
                &format!("/importer/{unknown}"),
                &[("csrf", &preview.csrf())],
            )
            .await;
        assert_eq!(answer.status(), 404, "{unknown}");
        assert!(
            answer
                .0
                .header("content-type")
                .unwrap()
                .starts_with("text/html")
        );
    }

    // An hour later the preview has expired.
    app.store
        .run_blocking(|conn| {
            use diesel::RunQueryDsl;
            diesel::sql_query("UPDATE pending_imports SET created_at = '2000-01-01 00:00:00'")
                .execute(conn)?;
            Ok(())
        })
        .unwrap();
    let expired = kari
        .post(&format!("/importer/{id}"), &[("csrf", &preview.csrf())])
        .await;
    assert_eq!(expired.status(), 410, "{}", expired.text());
    assert!(expired.text().contains("Forhåndsvisningen er utløpt"));
    assert!(
        expired.text().contains("name=\"dokument\""),
        "the form to choose the file again"
    );
    assert_eq!(points(&app, "").await, 0, "nothing was imported");
    // A new upload clears the expired one out.
    upload(&mut ola, "auto", "referat.docx", MINUTES_DOCX).await;
    assert_eq!(pending(&app).await, 1);
}

async fn readers_anonymous_visitors_and_forms_without_csrf_import_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut anonymous = Browser::new(&app);
    let sent = anonymous.get("/importer").await;
    assert_eq!(sent.status(), 303);
    assert!(sent.location().starts_with("/logg-inn"));

    account(&app, "au@kommune.no", "Anne AU", Role::Reader).await;
    let mut reader = Browser::new(&app);
    reader.sign_in("au@kommune.no", PASSWORD).await;
    assert!(!reader.get("/").await.text().contains("href=\"/importer\""));
    assert_eq!(reader.get("/importer").await.status(), 403);
    let csrf = reader.get("/").await.csrf();
    let forged = reader
        .post_file(
            "/importer",
            &[("csrf", &csrf), ("type", "auto")],
            ("dokument", "referat.docx", MINUTES_DOCX),
        )
        .await;
    assert_eq!(forged.status(), 403);
    assert!(forged.text().contains("Du har ikke tilgang til dette"));

    let mut kari = editor(&app, "kari@kommune.no", "Kari Nordmann").await;
    let without = kari
        .post_file(
            "/importer",
            &[("type", "auto")],
            ("dokument", "referat.docx", MINUTES_DOCX),
        )
        .await;
    assert_eq!(without.status(), 403, "{}", without.text());
    assert!(without.text().contains("sikkerhetskode (CSRF)"));
    let wrong = kari
        .post_file(
            "/importer",
            &[("csrf", "feil"), ("type", "auto")],
            ("dokument", "referat.docx", MINUTES_DOCX),
        )
        .await;
    assert_eq!(wrong.status(), 403);
    assert_eq!(pending(&app).await, 0, "nothing kept");

    let preview = upload(&mut kari, "auto", "referat.docx", MINUTES_DOCX).await;
    let id = pending_id(&preview);
    let unconfirmed = kari.post(&format!("/importer/{id}"), &[]).await;
    assert_eq!(unconfirmed.status(), 403);
    let by_reader = reader
        .post(&format!("/importer/{id}"), &[("csrf", &csrf)])
        .await;
    assert_eq!(by_reader.status(), 403);
    assert_eq!(points(&app, "").await, 0, "nothing was imported");
    assert_eq!(pending(&app).await, 1, "the preview still waits");
}

async fn bad_files_get_the_form_back_with_the_reason_at_the_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut kari = editor(&app, "kari@kommune.no", "Kari Nordmann").await;
    let too_large = vec![b'a'; vedtakslogg::api::imports::MAX_DOCUMENT_BYTES + 1];
    let cases: [(&str, &[u8], u16, &str); 6] = [
        ("", b"", 422, "Velg en fil å importere."),
        ("tom.txt", b"  \n\n ", 422, "«tom.txt» er tom."),
        (
            "bilde.png",
            b"\x89PNG\r\n",
            415,
            "«bilde.png» er ikke en fil som kan importeres.",
        ),
        (
            "handleliste.txt",
            "melk\nbrød\nost\n".as_bytes(),
            422,
            "Filen ser ikke ut som en møteinnkalling eller et møtereferat",
        ),
        ("ødelagt.docx", b"PK\x03\x04 not really a zip", 422, "Filen"),
        ("stor.txt", &too_large, 413, "Filen er større enn 20 MiB."),
    ];
    for (file_name, content, status, message) in cases {
        let answer = upload(&mut kari, "innkalling", file_name, content).await;
        let text = answer.text();
        assert_eq!(answer.status(), status, "{file_name}: {text}");
        assert!(
            answer
                .0
                .header("content-type")
                .unwrap()
                .starts_with("text/html"),
            "{file_name}: a page, not JSON"
        );
        assert!(text.contains(message), "{file_name}: {message}\n{text}");
        assert!(
            text.contains("href=\"#felt-dokument\"") && text.contains("aria-invalid=\"true\""),
            "{file_name}: the summary links to the field"
        );
        assert!(
            text.contains("id=\"type-innkalling\" name=\"type\" value=\"innkalling\" checked"),
            "{file_name}: the kind chosen stays chosen"
        );
    }
    // A form that is not a file upload at all.
    let csrf = kari.get("/importer").await.csrf();
    let plain = kari.post("/importer", &[("csrf", &csrf)]).await;
    assert_eq!(plain.status(), 400);
    assert!(plain.text().contains("Forespørselen kunne ikke forstås"));
    assert_eq!(pending(&app).await, 0);
    assert_eq!(points(&app, "").await, 0);
}

async fn a_misread_document_is_imported_only_when_the_editor_insists(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut kari = editor(&app, "kari@kommune.no", "Kari Nordmann").await;
    // A notice read as minutes: its cases have no adopted decisions.
    let preview = upload(&mut kari, "referat", "innkalling.txt", NOTICE_TXT).await;
    assert_eq!(preview.status(), 200, "{}", preview.text());
    let text = preview.text();
    assert!(
        text.contains("Dokumentet ser ut til å være lest feil"),
        "{text}"
    );
    assert!(text.contains("name=\"likevel\""));
    assert!(text.contains("<strong>Linje "), "warnings name their lines");
    let id = pending_id(&preview);
    let refused = kari
        .post(&format!("/importer/{id}"), &[("csrf", &preview.csrf())])
        .await;
    assert_eq!(refused.status(), 422, "{}", refused.text());
    assert!(refused.text().contains("href=\"#felt-likevel\""));
    assert_eq!(points(&app, "").await, 0);
    assert_eq!(pending(&app).await, 1, "it can still be confirmed");
    let forced = kari
        .post(
            &format!("/importer/{id}"),
            &[("csrf", &preview.csrf()), ("likevel", "ja")],
        )
        .await;
    assert_eq!(forced.status(), 303, "{}", forced.text());
    let meetings = app.get("/api/v1/meetings").await.expect(200);
    assert_eq!(meetings["items"][0]["date"], "2024-08-30", "{meetings}");
}

on_both_backends!(
    an_editor_previews_the_minutes_and_confirms_them_without_sending_the_file_again,
    a_preview_is_confirmed_only_by_its_own_account_and_within_the_hour,
    readers_anonymous_visitors_and_forms_without_csrf_import_nothing,
    bad_files_get_the_form_back_with_the_reason_at_the_field,
    a_misread_document_is_imported_only_when_the_editor_insists,
);
