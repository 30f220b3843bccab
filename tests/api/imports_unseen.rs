//! Importing documents the reader was not built on (issue 13): PDFs over HTTP and from the
//! command line, the kind decided by the title and checked against the cases, a caller's
//! `kind` and `force`, previews whose warnings come first, and hostile PDFs refused quickly.

use std::time::{Duration, Instant};

use actix_web::http::Method;
use pdf_extract::{Dictionary, Document, Object, Stream};
use serde_json::Value;
use vedtakslogg::config::Backend;

use crate::helpers::{TestApp, TestDatabase};

crate::on_both_backends!(
    a_pdf_imports_to_the_same_points_as_its_text,
    a_notice_with_a_vedtak_heading_and_an_agenda_item_named_minutes_stays_a_notice,
    a_document_read_as_the_wrong_kind_is_refused_unless_forced,
    two_editors_forcing_the_same_document_at_once_record_it_once,
    the_import_command_reads_a_pdf_and_takes_kind_and_force,
);

const PDF: &str = "application/pdf";
const TEXT: &str = "text/plain; charset=utf-8";
const MINUTES_TXT: &[u8] = include_bytes!("../fixtures/asu-2024-06-19-referat.txt");
const MINUTES_PDF: &[u8] = include_bytes!("../fixtures/asu-2024-06-19-referat.pdf");
const NOTICE_2025: &[u8] = include_bytes!("../fixtures/asu-2025-02-12-innkalling.txt");
const NOTICE_2025_PDF: &[u8] = include_bytes!("../fixtures/asu-2025-02-12-innkalling.pdf");

async fn post(
    app: &TestApp,
    query: &str,
    body: &[u8],
    content_type: &str,
) -> crate::helpers::TestResponse {
    app.send_raw(
        Method::POST,
        &format!("/api/v1/imports{query}"),
        content_type,
        body.to_vec(),
    )
    .await
}

/// Every decision point in the log: case, position, kind, owners, deadline, status.
async fn points(app: &TestApp) -> Vec<String> {
    let page = app.get("/api/v1/decisions?limit=200").await.expect(200);
    let mut points: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}-{} {} {} {} {}",
                p["case"]["number"],
                p["position"],
                p["kind"],
                p["owners"],
                p["deadline"],
                p["status"]
            )
        })
        .collect();
    points.sort();
    points
}

async fn a_pdf_imports_to_the_same_points_as_its_text(backend: Backend) {
    let from_pdf = TestApp::spawn(backend).await;
    let from_text = TestApp::spawn(backend).await;
    let preview = post(&from_pdf, "?dry_run=true", MINUTES_PDF, PDF)
        .await
        .expect(200);
    assert_eq!(preview["document"]["kind"], "minutes");
    assert_eq!(preview["cases"].as_array().unwrap().len(), 9);
    post(&from_pdf, "", MINUTES_PDF, PDF).await.expect(200);
    post(&from_text, "", MINUTES_TXT, TEXT).await.expect(200);
    let read = points(&from_pdf).await;
    assert_eq!(read.len(), 21);
    assert_eq!(read, points(&from_text).await);
    // Sent without its type, a PDF is known by its header; again, it changes nothing.
    let again = post(&from_pdf, "", MINUTES_PDF, "application/octet-stream")
        .await
        .expect(200);
    assert_eq!(again["import"]["changed"], false, "{}", again["import"]);
}

async fn a_notice_with_a_vedtak_heading_and_an_agenda_item_named_minutes_stays_a_notice(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    for (body, content_type) in [(NOTICE_2025, TEXT), (NOTICE_2025_PDF, PDF)] {
        let preview = post(&app, "?dry_run=true", body, content_type)
            .await
            .expect(200);
        assert_eq!(preview["document"]["kind"], "notice");
        let cases = preview["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 7);
        assert!(cases.iter().all(|c| c["status"] == "proposed"));
        let proposals: usize = cases
            .iter()
            .map(|c| c["decisions"].as_array().unwrap().len())
            .sum();
        assert_eq!(proposals, 13);
        // Nothing disagrees: no warning about the kind.
        let warnings = preview["warnings"].as_array().unwrap();
        assert!(
            warnings
                .iter()
                .all(|w| !w.as_str().unwrap().contains("is read as")),
            "{warnings:?}"
        );
    }
}

async fn a_document_read_as_the_wrong_kind_is_refused_unless_forced(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // Read as minutes, the notice has one case with a "Vedtak" (background, one point) and six
    // without: the preview says so first, with lines, and writes nothing.
    let preview = post(&app, "?dry_run=true&kind=minutes", NOTICE_2025, TEXT)
        .await
        .expect(200);
    assert_eq!(preview["document"]["kind"], "minutes");
    let warnings: Vec<&str> = preview["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings[0].starts_with("line 1: the title \"MØTEINNKALLING"),
        "{warnings:#?}"
    );
    assert!(
        warnings[1].contains("import it with kind=notice"),
        "{warnings:#?}"
    );
    assert!(
        warnings.iter().any(|w| w.starts_with("line ")
            && w.contains(
                "case 3/25 has no \"Vedtak\"; its \"Forslag til vedtak\" of 3 points is not used"
            )),
        "{warnings:#?}"
    );
    assert!(
        warnings.iter().all(|w| w.starts_with("line ")),
        "{warnings:#?}"
    );

    let detail = post(&app, "?kind=minutes", NOTICE_2025, TEXT)
        .await
        .expect_problem(422);
    assert!(detail.contains("6 of the 7 cases"), "{detail}");
    assert!(detail.contains("force=true"), "{detail}");
    assert_eq!(
        app.get("/api/v1/meetings").await.expect(200)["items"],
        serde_json::json!([])
    );

    // Insisting imports it as asked; the right kind needs no insisting.
    let forced = post(&app, "?kind=minutes&force=true", NOTICE_2025, TEXT)
        .await
        .expect(200);
    assert_eq!(forced["import"]["changed"], true);
    assert_eq!(points(&app).await.len(), 1);

    let other = TestApp::spawn(backend).await;
    post(&other, "?kind=notice", NOTICE_2025, TEXT)
        .await
        .expect(200);
    assert_eq!(points(&other).await.len(), 13);

    // A kind that is neither, and a force that is no boolean, are bad requests.
    post(&app, "?kind=protokoll", NOTICE_2025, TEXT)
        .await
        .expect_problem(400);
    post(&app, "?force=kanskje", NOTICE_2025, TEXT)
        .await
        .expect_problem(400);
}

async fn two_editors_forcing_the_same_document_at_once_record_it_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (a, b) = futures::join!(
        post(&app, "?kind=minutes&force=true", NOTICE_2025, TEXT),
        post(&app, "?kind=minutes&force=true", NOTICE_2025, TEXT)
    );
    let (a, b) = (a.expect(200), b.expect(200));
    let changed = [&a, &b]
        .iter()
        .filter(|r| r["import"]["changed"] == true)
        .count();
    assert_eq!(changed, 1, "{}\n{}", a["import"], b["import"]);
    assert_eq!(points(&app).await.len(), 1);
    let imports = app.get("/api/v1/imports").await.expect(200);
    assert_eq!(imports.as_array().unwrap().len(), 1, "{imports}");
}

async fn the_import_command_reads_a_pdf_and_takes_kind_and_force(backend: Backend) {
    let (config, _database) = TestDatabase::create(backend);
    let fixture = |name: &str| format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let pdf = fixture("asu-2024-06-19-referat.pdf");
    let (ok, out, err) = crate::cli::vedtakslogg(&config, &["import", &pdf, "--dry-run"]);
    assert!(ok, "{out}{err}");
    let preview: Value = serde_json::from_str(&out).expect("JSON on stdout");
    let expected: Value = serde_json::from_str(include_str!(
        "../fixtures/asu-2024-06-19-referat.expected.json"
    ))
    .unwrap();
    assert_eq!(preview["document"], expected["document"]);
    assert_eq!(preview["meeting"]["date"], expected["meeting"]["date"]);
    assert!(err.contains("dry run, nothing written"), "{err}");
    let (ok, out, err) = crate::cli::vedtakslogg(&config, &["import", &pdf]);
    assert!(ok, "{out}{err}");
    assert!(err.contains("32 created"), "{err}");

    let notice = fixture("asu-2025-02-12-innkalling.txt");
    let (ok, _, err) = crate::cli::vedtakslogg(&config, &["import", &notice, "--kind", "minutes"]);
    assert!(!ok && err.contains("--force imports it anyway"), "{err}");
    assert!(err.contains("warning: line 1: the title"), "{err}");
    let (ok, out, err) = crate::cli::vedtakslogg(
        &config,
        &["import", &notice, "--kind", "minutes", "--force"],
    );
    assert!(ok, "{out}{err}");
    let (ok, _, err) = crate::cli::vedtakslogg(&config, &["import", &notice, "--kind", "referat"]);
    assert!(!ok && err.contains("invalid value"), "{err}");
}

/// A PDF of one page whose content is `content`, with these drawings (form XObjects) by name.
fn pdf_with(content: &[u8], forms: impl Fn(&mut Document, (u32, u16)) -> Dictionary) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let xobjects = forms(&mut doc, pages_id);
    let content_id = doc.add_object(Stream::new(Dictionary::new(), content.to_vec()));
    let mut resources = Dictionary::new();
    resources.set("XObject", Object::Dictionary(xobjects));
    let mut page = Dictionary::new();
    page.set("Type", Object::Name(b"Page".to_vec()));
    page.set("Parent", Object::Reference(pages_id));
    page.set("Contents", Object::Reference(content_id));
    page.set("Resources", Object::Dictionary(resources));
    page.set(
        "MediaBox",
        Object::Array(vec![0.into(), 0.into(), 595.into(), 842.into()]),
    );
    let page_id = doc.add_object(page);
    let mut pages = Dictionary::new();
    pages.set("Type", Object::Name(b"Pages".to_vec()));
    pages.set("Kids", Object::Array(vec![Object::Reference(page_id)]));
    pages.set("Count", Object::Integer(1));
    doc.objects.insert(pages_id, Object::Dictionary(pages));
    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", Object::Reference(pages_id));
    let catalog_id = doc.add_object(catalog);
    doc.trailer.set("Root", Object::Reference(catalog_id));
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

/// `mib` MiB of zeros, deflated as a PDF stream is (the stream's dictionary does not say so: the
/// check must not trust it).
fn deflated_zeros(mib: usize) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..mib {
        encoder.write_all(&zeros).unwrap();
    }
    encoder.finish().unwrap()
}

/// A form XObject drawing `content` with these resources.
fn form(content: &[u8], xobjects: Dictionary) -> Stream {
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"XObject".to_vec()));
    dict.set("Subtype", Object::Name(b"Form".to_vec()));
    dict.set(
        "BBox",
        Object::Array(vec![0.into(), 0.into(), 10.into(), 10.into()]),
    );
    let mut resources = Dictionary::new();
    resources.set("XObject", Object::Dictionary(xobjects));
    dict.set("Resources", Object::Dictionary(resources));
    Stream::new(dict, content.to_vec())
}

/// A one-page minutes in a standard font, with a logo (an image drawn with "Do", as Word draws
/// a header's logo): the logo is no text and does not stop the text from being read.
#[test]
fn a_pdf_with_a_logo_reads_as_its_text() {
    let lines = [
        // "Ø" and "ø" in the font's WinAnsi encoding, written in octal.
        "M\\330TEREFERAT - ADMINISTRATIVT SAMARBEIDSUTVALG \\(ASU\\)",
        "M\\370tedato: 19.06.24",
        "Sak: 18/24 Godkjenning av innkalling og sakliste",
        "Vedtak",
        "1. Innkalling og sakliste godkjennes.",
        "2. ASU ber sekretariatet utarbeide en vedtakslogg innen 01.09.24.",
    ];
    let mut content = b"q 100 0 0 50 72 770 cm /Logo Do Q BT /F1 11 Tf 72 720 Td 14 TL ".to_vec();
    for line in lines {
        content.extend_from_slice(format!("({line}) Tj T* ").as_bytes());
    }
    content.extend_from_slice(b"ET");
    let pdf = pdf_with(&content, |doc, _| {
        let mut image = Dictionary::new();
        image.set("Type", Object::Name(b"XObject".to_vec()));
        image.set("Subtype", Object::Name(b"Image".to_vec()));
        image.set("Width", 2);
        image.set("Height", 2);
        image.set("ColorSpace", Object::Name(b"DeviceRGB".to_vec()));
        image.set("BitsPerComponent", 8);
        image.set("Filter", Object::Name(b"DCTDecode".to_vec()));
        // Binary, as a JPEG is: no content stream, and unbalanced brackets and strings.
        let jpeg: Vec<u8> = (0..4096u32)
            .map(|i| (i * 7 % 251) as u8)
            .chain(*b"((([<<")
            .collect();
        let id = doc.add_object(Stream::new(image, jpeg));
        let mut names = Dictionary::new();
        names.set("Logo", Object::Reference(id));
        names
    });
    let pdf = with_font(pdf);
    let parsed = vedtakslogg::import::read_document(&pdf).expect("read");
    assert_eq!(
        parsed.document.kind,
        vedtakslogg::import::DocumentKind::Minutes
    );
    assert_eq!(parsed.meeting.date.to_string(), "2024-06-19");
    let points = &parsed.cases[0].decisions;
    assert_eq!(points.len(), 2, "{parsed:#?}");
    assert_eq!(points[1].owners, ["Sekretariatet"]);
    assert_eq!(
        points[1].deadline.map(|d| d.to_string()).as_deref(),
        Some("2024-09-01")
    );
}

/// Gives the page of `pdf` the standard font Helvetica as /F1.
fn with_font(pdf: Vec<u8>) -> Vec<u8> {
    let mut doc = Document::load_mem(&pdf).unwrap();
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Subtype", Object::Name(b"Type1".to_vec()));
    font.set("BaseFont", Object::Name(b"Helvetica".to_vec()));
    font.set("Encoding", Object::Name(b"WinAnsiEncoding".to_vec()));
    let font_id = doc.add_object(font);
    let page_id = *doc.get_pages().values().next().unwrap();
    let page = doc.get_dictionary_mut(page_id).unwrap();
    let resources = page.get_mut(b"Resources").unwrap().as_dict_mut().unwrap();
    let mut fonts = Dictionary::new();
    fonts.set("F1", Object::Reference(font_id));
    resources.set("Font", Object::Dictionary(fonts));
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

#[actix_web::test]
async fn hostile_and_broken_pdfs_are_refused_quickly_with_422() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    // A drawing that draws itself: followed blindly, the stack overflows.
    let recursive = pdf_with(b"/X0 Do", |doc, _| {
        let id = doc.new_object_id();
        let mut own = Dictionary::new();
        own.set("X0", Object::Reference(id));
        doc.objects.insert(id, Object::Stream(form(b"/X0 Do", own)));
        let mut names = Dictionary::new();
        names.set("X0", Object::Reference(id));
        names
    });
    // Five levels, each drawing the next 100 times: 10^10 drawings from a few hundred bytes.
    let fan_out = pdf_with(&b"/X0 Do ".repeat(100), |doc, _| {
        let mut id = doc.new_object_id();
        doc.objects
            .insert(id, Object::Stream(form(b"", Dictionary::new())));
        for _ in 0..5 {
            let mut next = Dictionary::new();
            next.set("X0", Object::Reference(id));
            id = doc.add_object(form(&b"/X0 Do ".repeat(100), next));
        }
        let mut names = Dictionary::new();
        names.set("X0", Object::Reference(id));
        names
    });
    let no_text = pdf_with(b"0 0 10 10 re f", |_, _| Dictionary::new());
    let truncated = &MINUTES_PDF[..MINUTES_PDF.len() / 3];
    let mut lzw = MINUTES_PDF.to_vec();
    lzw.extend_from_slice(b"\n1 0 obj << /Filter /LZWDecode >> endobj\n");
    for (name, body, says) in [
        ("recursive", &recursive[..], "draws itself"),
        ("fan-out", &fan_out[..], "drawings"),
        ("no text", &no_text[..], "no text"),
        ("truncated", truncated, "PDF"),
        ("garbage", &b"%PDF-1.7\n\x00\xff\x13garbage"[..], "PDF"),
        ("lzw", &lzw[..], "LZW"),
    ] {
        let started = Instant::now();
        let detail = post(&app, "?dry_run=true", body, PDF)
            .await
            .expect_problem(422);
        assert!(detail.contains(says), "{name}: {detail}");
        assert!(started.elapsed() < Duration::from_secs(10), "{name}");
    }
    // A stream of 200 MiB of zeros, deflated to a few hundred KiB: refused while it is unpacked,
    // in little memory, before the PDF reader would unpack it whole.
    let bomb = pdf_with(&deflated_zeros(200), |_, _| Dictionary::new());
    assert!(
        bomb.len() < 1024 * 1024,
        "a small file: {} bytes",
        bomb.len()
    );
    let started = Instant::now();
    let (read, peak) = crate::memory::peak_heap(|| vedtakslogg::import::read_document(&bomb));
    let error = read.expect_err("refused");
    assert!(
        error.to_string().contains("unpack to more than 64 MiB"),
        "{error}"
    );
    assert!(peak < 16 * 1024 * 1024, "read with {peak} bytes of heap");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    post(&app, "", &bomb, PDF).await.expect_problem(422);
    assert_eq!(
        app.get("/api/v1/imports").await.expect(200),
        serde_json::json!([])
    );

    // A type the import does not take is still refused before the body is read.
    post(&app, "", MINUTES_PDF, "image/png")
        .await
        .expect_problem(415);
}
