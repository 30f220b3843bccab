//! Importing notices and minutes over HTTP: the fixtures into an empty log, re-imports that
//! change nothing, minutes that adopt a notice's proposals without undoing hand edits, previews
//! that write nothing, and documents that are refused whole.

use std::collections::BTreeSet;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::{Value, json};
use vedtakslogg::config::Backend;

use crate::helpers::{TestApp, Who};

crate::on_both_backends!(
    the_fixtures_give_exactly_their_work_and_importing_again_changes_nothing,
    minutes_adopt_the_proposals_of_the_notice_and_keep_what_editors_changed,
    a_dry_run_tells_what_would_happen_and_writes_nothing,
    a_docx_reads_as_the_text_of_the_same_document,
    documents_that_cannot_be_read_are_refused_whole,
    an_import_that_fails_half_way_writes_nothing,
    two_editors_importing_the_same_document_at_once_record_it_once,
    an_editors_kind_stays_and_corrected_minutes_reopen_a_point_with_a_note,
    minutes_settle_the_proposals_of_cases_they_do_not_name,
    a_write_that_fails_inside_a_larger_one_undoes_both,
    odd_characters_and_oversized_documents,
    a_small_docx_that_numbers_itself_to_gigabytes_is_refused_quickly_in_little_memory,
);

const TEXT: &str = "text/plain; charset=utf-8";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

const FIXTURES: [(&str, &[u8], &[u8], &str); 3] = [
    (
        "asu-2023-10-04-innkalling",
        include_bytes!("../fixtures/asu-2023-10-04-innkalling.txt"),
        include_bytes!("../fixtures/asu-2023-10-04-innkalling.docx"),
        include_str!("../fixtures/asu-2023-10-04-innkalling.expected.json"),
    ),
    (
        "asu-2024-06-19-referat",
        include_bytes!("../fixtures/asu-2024-06-19-referat.txt"),
        include_bytes!("../fixtures/asu-2024-06-19-referat.docx"),
        include_str!("../fixtures/asu-2024-06-19-referat.expected.json"),
    ),
    (
        "asu-2024-08-30-innkalling",
        include_bytes!("../fixtures/asu-2024-08-30-innkalling.txt"),
        include_bytes!("../fixtures/asu-2024-08-30-innkalling.docx"),
        include_str!("../fixtures/asu-2024-08-30-innkalling.expected.json"),
    ),
];

const NOTICE_2024_12_05: &[u8] = include_bytes!("../fixtures/asu-2024-12-05-innkalling.txt");
const MINUTES_2024_12_05: &[u8] = include_bytes!("../fixtures/asu-2024-12-05-referat.txt");

/// A `.docx` of these parts (deflated, as Word writes them), for documents no fixture has.
pub fn docx(parts: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// The .docx of issue 11: a list whose number is 60 KB of text, and 20,000 paragraphs numbered
/// by it. Copied before each paragraph, that is 1.2 GB of text from a file of a few KB.
pub fn numbering_bomb() -> Vec<u8> {
    let numbering = format!(
        r#"<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
        <w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/>
        <w:numFmt w:val="decimal"/><w:lvlText w:val="{}%1."/></w:lvl></w:abstractNum>
        <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#,
        "A".repeat(60_000)
    );
    let paragraph = r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>ASU tar saken til orientering.</w:t></w:r></w:p>"#;
    let document = format!(
        r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
        <w:p><w:r><w:t>MØTEREFERAT ASU</w:t></w:r></w:p><w:p><w:r><w:t>Møtedato: 19.06.24</w:t></w:r></w:p>
        <w:p><w:r><w:t>Sak: 18/24 Godkjenning</w:t></w:r></w:p><w:p><w:r><w:t>Vedtak:</w:t></w:r></w:p>
        {}</w:body></w:document>"#,
        paragraph.repeat(20_000)
    );
    docx(&[
        ("word/document.xml", document.as_bytes()),
        ("word/numbering.xml", numbering.as_bytes()),
    ])
}

async fn import(app: &TestApp, body: &[u8], content_type: &str) -> Value {
    app.send_raw(Method::POST, "/api/v1/imports", content_type, body.to_vec())
        .await
        .expect(200)
}

async fn preview(app: &TestApp, body: &[u8], content_type: &str) -> Value {
    app.send_raw(
        Method::POST,
        "/api/v1/imports?dry_run=true",
        content_type,
        body.to_vec(),
    )
    .await
    .expect(200)
}

/// Every decision point in the log, in one list.
async fn all_points(app: &TestApp, query: &str) -> Vec<Value> {
    let page = app
        .get(&format!("/api/v1/decisions?limit=200&{query}"))
        .await
        .expect(200);
    assert!(page["next_cursor"].is_null(), "one page holds them: {page}");
    page["items"].as_array().unwrap().clone()
}

/// What a list of points says about each: case, position, kind, owners, deadline.
fn work(points: &[Value]) -> BTreeSet<String> {
    points
        .iter()
        .map(|p| {
            let owners: Vec<&str> = p["owners"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["name"].as_str().unwrap())
                .collect();
            format!(
                "{}-{} {} owners={:?} deadline={}",
                p["case"]["number"].as_str().unwrap(),
                p["position"].as_str().unwrap(),
                p["kind"].as_str().unwrap(),
                owners,
                p["deadline"]
            )
        })
        .collect()
}

/// The same, from a parsed document (the expected files, read by hand).
fn parsed_work(document: &Value, kinds: &[&str]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for case in document["cases"].as_array().unwrap() {
        for point in case["decisions"].as_array().unwrap() {
            if kinds.contains(&point["kind"].as_str().unwrap()) {
                let owners: Vec<&str> = point["owners"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|o| o.as_str().unwrap())
                    .collect();
                out.insert(format!(
                    "{}-{} {} owners={:?} deadline={}",
                    case["number"].as_str().unwrap(),
                    point["position"].as_str().unwrap(),
                    point["kind"].as_str().unwrap(),
                    owners,
                    point["deadline"]
                ));
            }
        }
    }
    out
}

/// The log as a client sees it: every meeting, case and point with its version and time.
async fn log_state(app: &TestApp) -> Value {
    json!({
        "committees": app.get("/api/v1/committees").await.expect(200),
        "meetings": app.get("/api/v1/meetings?limit=200").await.expect(200)["items"],
        "cases": app.get("/api/v1/cases?limit=200").await.expect(200)["items"],
        "decisions": all_points(app, "").await,
        "proposals": app.get("/api/v1/proposals").await.expect(200),
    })
}

async fn the_fixtures_give_exactly_their_work_and_importing_again_changes_nothing(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let mut notices_points = 0;
    let mut expected_open = BTreeSet::new();
    for (name, text, _, expected) in FIXTURES {
        let expected: Value = serde_json::from_str(expected).unwrap();
        let result = import(&app, text, TEXT).await;
        assert_eq!(result["document"], expected["document"], "{name}");
        assert_eq!(result["cases"], expected["cases"], "{name}");
        assert_eq!(result["import"]["dry_run"], false);
        assert_eq!(result["import"]["changed"], true, "{name}");
        assert!(result["import"]["id"].is_string(), "{name}");
        if expected["document"]["kind"] == "minutes" {
            // Adopted work: what the minutes ask someone to do, recommend, postpone or
            // schedule. Orientations, approvals and statements are closed when adopted.
            expected_open.extend(parsed_work(
                &expected,
                &["assignment", "recommendation", "postponement", "scheduling"],
            ));
        } else {
            notices_points += parsed_work(
                &expected,
                &[
                    "orientation",
                    "approval",
                    "assignment",
                    "recommendation",
                    "postponement",
                    "scheduling",
                    "other",
                ],
            )
            .len();
        }
    }

    let open = all_points(&app, "status=open").await;
    assert_eq!(work(&open), expected_open);
    assert_eq!(open.len(), 8, "{:#?}", work(&open));
    assert!(
        work(&open).contains("24/24-2 assignment owners=[\"Sekretariatet\"] deadline=null"),
        "{:#?}",
        work(&open)
    );
    assert!(
        work(&open).contains("18/24-2 scheduling owners=[] deadline=\"2024-08-30\""),
        "{:#?}",
        work(&open)
    );
    // The notices' proposals wait for their minutes: proposed, and not overdue work.
    let proposed = all_points(&app, "status=proposed").await;
    assert_eq!(proposed.len(), notices_points);
    assert!(proposed.iter().all(|p| p["overdue"] == false));
    let stats = app.get("/api/v1/stats").await.expect(200);
    assert_eq!(stats["proposed"], notices_points);
    assert_eq!(stats["open"], 8);
    // The meeting of the minutes is held, the others planned; the cases as the documents say.
    let held = app.get("/api/v1/meetings?limit=200").await.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["status"] == "held")
        .map(|m| m["date"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    assert_eq!(held, ["2024-06-19"]);
    let postponed = app
        .get("/api/v1/committees/ASU/cases/22-24")
        .await
        .expect(200);
    assert_eq!(postponed["status"], "postponed");
    // References in the documents are proposed as links, as for text typed in.
    let proposals = app.get("/api/v1/proposals").await.expect(200);
    let found: BTreeSet<(String, String, String)> = proposals
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["target"]["number"].is_string())
        .map(|p| {
            (
                p["source_number"].as_str().unwrap().to_owned(),
                p["kind"].as_str().unwrap().to_owned(),
                p["target"]["number"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (source, kind, target) in [
        ("37/23", "follows_up", "31/23"),
        ("20/24", "follows_up", "3/24"),
    ] {
        assert!(
            found.contains(&(source.into(), kind.into(), target.into())),
            "{source} {kind} {target} not in {found:?}"
        );
    }

    let before = log_state(&app).await;
    for (name, text, docx, _) in FIXTURES {
        for (body, content_type) in [(text, TEXT), (docx, DOCX)] {
            let again = import(&app, body, content_type).await;
            assert_eq!(again["import"]["changed"], false, "{name}: {again}");
            let summary = &again["import"]["summary"];
            assert_eq!(
                (
                    &summary["created"],
                    &summary["updated"],
                    &summary["removed"]
                ),
                (&json!(0), &json!(0), &json!(0)),
                "{name}: {summary}"
            );
            assert!(again["import"]["id"].is_null());
        }
    }
    assert_eq!(
        log_state(&app).await,
        before,
        "importing again changed the log"
    );
    let imports = app.get("/api/v1/imports").await.expect(200);
    assert_eq!(imports.as_array().unwrap().len(), 3, "{imports}");
    assert_eq!(imports[0]["document_kind"], "notice");
    assert_eq!(imports[0]["meeting_date"], "2024-08-30");
    assert_eq!(imports[0]["created_by"], crate::helpers::EDITOR);
    assert_eq!(imports[1]["summary"]["created"], 31, "{}", imports[1]);
}

/// The point at a position of a case.
fn point<'a>(result: &'a Value, case: &str, position: &str) -> &'a Value {
    result["import"]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["entity"] == "decision" && a["case"] == case && a["position"] == position)
        .unwrap_or_else(|| panic!("no action for {case}-{position}: {result}"))
}

async fn minutes_adopt_the_proposals_of_the_notice_and_keep_what_editors_changed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let notice = import(&app, NOTICE_2024_12_05, TEXT).await;
    let proposed = all_points(&app, "").await;
    assert_eq!(proposed.len(), 4);
    assert!(
        proposed.iter().all(|p| p["status"] == "proposed"),
        "{proposed:?}"
    );
    assert!(all_points(&app, "status=open").await.is_empty());
    let id_of = |case: &str, position: &str| {
        point(&notice, case, position)["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (orientation, assignment, not_adopted, eventuelt) = (
        id_of("40/24", "1"),
        id_of("40/24", "2"),
        id_of("40/24", "3"),
        id_of("41/24", "1"),
    );

    // The secretariat moves the deadline of a proposal before the meeting.
    app.patch(
        &format!("/api/v1/decisions/{assignment}"),
        &json!({"deadline": "2025-04-01", "comment": "AU ba om mer tid"}),
    )
    .await
    .expect(200);

    // The preview of the minutes tells of updates and removals, and writes none of them.
    let before = log_state(&app).await;
    let previewed = preview(&app, MINUTES_2024_12_05, TEXT).await;
    let summary = &previewed["import"]["summary"];
    assert_eq!(
        (
            &summary["created"],
            &summary["updated"],
            &summary["removed"],
            &summary["kept"]
        ),
        (&json!(1), &json!(6), &json!(1), &json!(1)),
        "{summary}"
    );
    assert_eq!(point(&previewed, "40/24", "2")["kept"], json!(["deadline"]));
    assert_eq!(log_state(&app).await, before, "a preview wrote to the log");

    let minutes = import(&app, MINUTES_2024_12_05, TEXT).await;
    assert_eq!(minutes["import"]["changed"], true);
    assert_eq!(minutes["import"]["summary"], previewed["import"]["summary"]);
    // The adopted proposals keep their ids.
    assert_eq!(point(&minutes, "40/24", "1")["id"], orientation.as_str());
    assert_eq!(point(&minutes, "40/24", "2")["id"], assignment.as_str());
    assert_eq!(point(&minutes, "41/24", "1")["id"], eventuelt.as_str());
    let adopted = point(&minutes, "40/24", "2");
    assert_eq!(adopted["action"], "updated");
    assert_eq!(adopted["fields"], json!(["text", "status"]));
    assert_eq!(adopted["kept"], json!(["deadline"]));
    assert_eq!(point(&minutes, "40/24", "3")["action"], "removed");
    assert_eq!(point(&minutes, "41/24", "2")["action"], "created");

    let point_now = app
        .get(&format!("/api/v1/decisions/{assignment}"))
        .await
        .expect(200);
    assert_eq!(point_now["status"], "open");
    assert_eq!(
        point_now["text"],
        "ASU ber sekretariatet utarbeide forslag til ny handlingsplan innen 01.02.25."
    );
    assert_eq!(
        point_now["deadline"], "2025-04-01",
        "the editor's deadline stays"
    );
    let orientation_now = app
        .get(&format!("/api/v1/decisions/{orientation}"))
        .await
        .expect(200);
    assert_eq!(orientation_now["status"], "done");
    app.get(&format!("/api/v1/decisions/{not_adopted}"))
        .await
        .expect_problem(410);
    // The history tells the whole story: proposed by the import, the editor's deadline, and
    // adopted by the minutes.
    let history = app
        .get(&format!("/api/v1/decisions/{assignment}/history"))
        .await
        .expect(200);
    let entries = history.as_array().unwrap();
    assert_eq!(entries.len(), 3, "{history}");
    assert_eq!(entries[1]["changes"]["deadline"]["to"], "2025-04-01");
    assert_eq!(entries[2]["changes"]["status"]["from"], "proposed");
    assert_eq!(entries[2]["changes"]["status"]["to"], "open");
    assert!(entries[2]["changes"].get("deadline").is_none(), "{history}");
    assert_eq!(
        entries[2]["note"],
        "imported from the minutes of ASU 2024-12-05"
    );
    let meeting = app
        .get(&format!(
            "/api/v1/meetings/{}",
            minutes["import"]["meeting_id"].as_str().unwrap()
        ))
        .await
        .expect(200);
    assert_eq!(meeting["status"], "held");
    assert_eq!(meeting["chair"], "Ingjerd Astad");
    assert_eq!(meeting["end_time"], "11:30");
    let open = work(&all_points(&app, "status=open").await);
    assert_eq!(
        open,
        BTreeSet::from([
            "40/24-2 assignment owners=[\"Sekretariatet\"] deadline=\"2025-04-01\"".to_owned(),
            "41/24-2 recommendation owners=[\"Kommunene\", \"St. Olavs hospital\"] deadline=null"
                .to_owned(),
        ])
    );

    // Work goes on: the secretariat finishes the point; the minutes imported again leave it.
    app.patch(
        &format!("/api/v1/decisions/{assignment}"),
        &json!({"status": "done", "status_note": "Utkast sendt AU"}),
    )
    .await
    .expect(200);
    let again = import(&app, MINUTES_2024_12_05, TEXT).await;
    assert_eq!(again["import"]["changed"], false, "{again}");
    assert_eq!(
        point(&again, "40/24", "2")["kept"],
        json!(["deadline", "status"])
    );
    let point_now = app
        .get(&format!("/api/v1/decisions/{assignment}"))
        .await
        .expect(200);
    assert_eq!(point_now["status"], "done");

    // The notice, late, would turn adopted points back into proposals: it changes nothing.
    let before = log_state(&app).await;
    let late = import(&app, NOTICE_2024_12_05, TEXT).await;
    assert_eq!(late["import"]["changed"], false);
    assert_eq!(late["import"]["actions"][0]["action"], "skipped");
    assert!(
        late["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("minutes are in the log")),
        "{late}"
    );
    assert_eq!(log_state(&app).await, before);
}

async fn a_dry_run_tells_what_would_happen_and_writes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, text, _, expected) = FIXTURES[1];
    let expected: Value = serde_json::from_str(expected).unwrap();
    let result = preview(&app, text, TEXT).await;
    assert_eq!(result["cases"], expected["cases"]);
    assert_eq!(result["meeting"], expected["meeting"]);
    let outcome = &result["import"];
    assert_eq!(outcome["dry_run"], true);
    assert_eq!(outcome["changed"], true);
    assert!(outcome["id"].is_null() && outcome["meeting_id"].is_null());
    // A committee, a meeting, 9 cases and 21 points would be created; none has an id yet.
    assert_eq!(outcome["summary"]["created"], 32, "{outcome}");
    assert!(
        outcome["actions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["action"] == "created" && a["id"].is_null())
    );
    assert_eq!(app.get("/api/v1/committees").await.expect(200), json!([]));
    assert_eq!(
        app.get("/api/v1/meetings").await.expect(200)["items"],
        json!([])
    );
    assert_eq!(app.get("/api/v1/imports").await.expect(200), json!([]));

    // Once imported, a preview of the same document says nothing would change.
    import(&app, text, TEXT).await;
    let before = log_state(&app).await;
    let again = preview(&app, text, TEXT).await;
    assert_eq!(again["import"]["changed"], false);
    assert_eq!(again["import"]["summary"]["unchanged"], 31);
    assert_eq!(log_state(&app).await, before);
}

async fn a_docx_reads_as_the_text_of_the_same_document(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut pairs: Vec<(&str, &[u8], &[u8])> = FIXTURES
        .iter()
        .map(|(name, text, docx, _)| (*name, *text, *docx))
        .collect();
    // Word's own list numbering (1., 2., a., b.) is not in the paragraphs' text; the reader
    // writes it out.
    pairs.push((
        "numbered-lists-referat",
        include_bytes!("../fixtures/numbered-lists-referat.txt"),
        include_bytes!("../fixtures/numbered-lists-referat.docx"),
    ));
    for (name, text, docx) in pairs {
        let mut from_text = preview(&app, text, TEXT).await;
        let mut from_docx = preview(&app, docx, DOCX).await;
        from_text.as_object_mut().unwrap().remove("import");
        from_docx.as_object_mut().unwrap().remove("import");
        assert_eq!(from_docx, from_text, "{name}");
        // Sent without a type, a .docx is known by what it is.
        let mut untyped = app
            .send_raw(
                Method::POST,
                "/api/v1/imports?dry_run=true",
                "application/octet-stream",
                docx.to_vec(),
            )
            .await
            .expect(200);
        untyped.as_object_mut().unwrap().remove("import");
        assert_eq!(untyped, from_text, "{name}");
    }
    let numbered = preview(
        &app,
        include_bytes!("../fixtures/numbered-lists-referat.docx"),
        DOCX,
    )
    .await;
    let positions: Vec<&str> = numbered["cases"][0]["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["position"].as_str().unwrap())
        .collect();
    assert_eq!(positions, ["1", "2", "3", "3a", "3b"]);
    assert_eq!(
        numbered["cases"][0]["decisions"][1]["deadline"],
        "2025-03-01"
    );
}

async fn documents_that_cannot_be_read_are_refused_whole(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let refused = |body: &'static [u8], content_type: &'static str| {
        app.send_raw(Method::POST, "/api/v1/imports", content_type, body.to_vec())
    };
    let detail = refused(b"Hei! Vi ses i morgen.\n", TEXT)
        .await
        .expect_problem(422);
    assert!(detail.contains("no cases found"), "{detail}");
    let detail = refused(b"M\xF8tereferat 19.06.24", TEXT)
        .await
        .expect_problem(422);
    assert!(detail.contains("UTF-8"), "{detail}");
    let detail = refused(b"PK\x03\x04 not really a zip archive", DOCX)
        .await
        .expect_problem(422);
    assert!(detail.contains(".docx"), "{detail}");
    let detail = refused(
        b"M\xC3\x98TEREFERAT\nSak: 18/24 Godkjenning\nVedtak:\n1. Godkjent.\n",
        TEXT,
    )
    .await
    .expect_problem(422);
    assert!(detail.contains("date"), "{detail}");
    refused(b"   \n", TEXT).await.expect_problem(400);
    refused(b"{\"cases\": []}", "application/json")
        .await
        .expect_problem(415);
    app.send_raw(
        Method::POST,
        "/api/v1/imports?dryrun=true",
        TEXT,
        FIXTURES[1].1.to_vec(),
    )
    .await
    .expect_problem(400);
    app.send_raw(
        Method::POST,
        "/api/v1/imports?dry_run=maybe",
        TEXT,
        FIXTURES[1].1.to_vec(),
    )
    .await
    .expect_problem(400);
    let too_large = vec![b'x'; 20 * 1024 * 1024 + 1];
    app.send_raw(Method::POST, "/api/v1/imports", TEXT, too_large)
        .await
        .expect_problem(413);
    // Only editors import.
    for (who, status) in [(Who::Reader, 403), (Who::Anonymous, 401)] {
        app.as_(who)
            .send(
                TestRequest::post()
                    .uri("/api/v1/imports")
                    .insert_header(("content-type", TEXT))
                    .set_payload(FIXTURES[1].1.to_vec()),
            )
            .await
            .expect_problem(status);
    }
    assert_eq!(app.get("/api/v1/committees").await.expect(200), json!([]));
    assert_eq!(app.get("/api/v1/imports").await.expect(200), json!([]));
    // The list of imports: readers may see it; its parameters are checked.
    app.as_(Who::Reader)
        .get("/api/v1/imports?committee=ASU&limit=200")
        .await
        .expect(200);
    app.as_(Who::Anonymous)
        .get("/api/v1/imports")
        .await
        .expect_problem(401);
    for query in [
        "limit=0",
        "limit=201",
        "limit=many",
        "committee=a%20b",
        "since=today",
    ] {
        app.get(&format!("/api/v1/imports?{query}"))
            .await
            .expect_problem(400);
    }
}

async fn an_import_that_fails_half_way_writes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // The second case's deadline is in a year the log refuses; the meeting and the first case
    // were written by then, and must be rolled back with it.
    let document = String::from_utf8(MINUTES_2024_12_05.to_vec())
        .unwrap()
        .replace(
            "prioriterer felles kompetanseplan i 2025.",
            "prioriterer felles kompetanseplan innen 01.01.3100.",
        );
    let detail = app
        .send_raw(Method::POST, "/api/v1/imports", TEXT, document.into_bytes())
        .await
        .expect_problem(422);
    assert!(detail.contains("deadline"), "{detail}");
    assert_eq!(app.get("/api/v1/committees").await.expect(200), json!([]));
    assert_eq!(
        app.get("/api/v1/meetings").await.expect(200)["items"],
        json!([])
    );
    assert!(all_points(&app, "").await.is_empty());
    // The log still works, and takes the document once it is right.
    import(&app, MINUTES_2024_12_05, TEXT).await;
    assert_eq!(all_points(&app, "").await.len(), 4);
}

async fn two_editors_importing_the_same_document_at_once_record_it_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let text = FIXTURES[1].1;
    let (first, second) = futures::join!(
        app.send_raw(Method::POST, "/api/v1/imports", TEXT, text.to_vec()),
        app.send_raw(Method::POST, "/api/v1/imports", TEXT, text.to_vec()),
    );
    let (first, second) = (first.expect(200), second.expect(200));
    let changed: Vec<bool> = [&first, &second]
        .iter()
        .map(|r| r["import"]["changed"].as_bool().unwrap())
        .collect();
    assert_eq!(
        changed.iter().filter(|c| **c).count(),
        1,
        "exactly one import writes: {changed:?}"
    );
    assert_eq!(all_points(&app, "").await.len(), 21);
    assert_eq!(
        app.get("/api/v1/imports")
            .await
            .expect(200)
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn an_editors_kind_stays_and_corrected_minutes_reopen_a_point_with_a_note(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let notice = import(&app, NOTICE_2024_12_05, TEXT).await;
    let assignment = point(&notice, "40/24", "2")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The secretariat reads the proposal as information only.
    app.patch(
        &format!("/api/v1/decisions/{assignment}"),
        &json!({"kind": "orientation"}),
    )
    .await
    .expect(200);
    let minutes = import(&app, MINUTES_2024_12_05, TEXT).await;
    let adopted = point(&minutes, "40/24", "2");
    assert_eq!(adopted["kept"], json!(["kind"]), "{adopted}");
    let now = app
        .get(&format!("/api/v1/decisions/{assignment}"))
        .await
        .expect(200);
    // Adopted as the kind the editor chose: an orientation is closed when adopted.
    assert_eq!(
        (&now["kind"], &now["status"]),
        (&json!("orientation"), &json!("done"))
    );

    // Corrected minutes: 41/24-1 was an orientation (done) and is now an assignment.
    let eventuelt = point(&minutes, "41/24", "1")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let corrected = String::from_utf8(MINUTES_2024_12_05.to_vec())
        .unwrap()
        .replace(
            "Vedtak:\n1. ASU tar saken til orientering.\n2. ASU anbefaler",
            "Vedtak:\n1. ASU ber sekretariatet følge opp innspillene.\n2. ASU anbefaler",
        );
    assert_ne!(corrected.as_bytes(), MINUTES_2024_12_05);
    let result = import(&app, corrected.as_bytes(), TEXT).await;
    let reopened = point(&result, "41/24", "1");
    assert_eq!(
        reopened["fields"],
        json!(["text", "kind", "owners", "status"]),
        "{reopened}"
    );
    let now = app
        .get(&format!("/api/v1/decisions/{eventuelt}"))
        .await
        .expect(200);
    assert_eq!(
        (&now["kind"], &now["status"]),
        (&json!("assignment"), &json!("open"))
    );
    assert_eq!(now["owners"][0]["name"], "Sekretariatet");
    assert!(
        now["status_note"]
            .as_str()
            .is_some_and(|n| n.starts_with("reopened: imported from the minutes")),
        "{now}"
    );
}

async fn minutes_settle_the_proposals_of_cases_they_do_not_name(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let notice = import(&app, NOTICE_2024_12_05, TEXT).await;
    let eventuelt = point(&notice, "41/24", "1")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let text = String::from_utf8(MINUTES_2024_12_05.to_vec()).unwrap();
    // Neither on the agenda nor as a section.
    let without_41 = text[..text.find("Sak: 41/24").unwrap()].replace("41/24 Eventuelt\n", "");
    let minutes = import(&app, without_41.as_bytes(), TEXT).await;
    assert_eq!(minutes["cases"].as_array().unwrap().len(), 1, "{minutes}");
    assert_eq!(point(&minutes, "41/24", "1")["action"], "removed");
    assert!(
        minutes["warnings"].as_array().unwrap().iter().any(|w| w
            .as_str()
            .unwrap()
            .starts_with("case 41/24 is on this meeting")),
        "{minutes}"
    );
    app.get(&format!("/api/v1/decisions/{eventuelt}"))
        .await
        .expect_problem(410);
    assert!(all_points(&app, "status=proposed").await.is_empty());
}

async fn a_write_that_fails_inside_a_larger_one_undoes_both(backend: Backend) {
    use vedtakslogg::store::{StoreError, write_transaction};
    use vedtakslogg::writes::committees::{self, NewCommittee};
    let app = TestApp::spawn(backend).await;
    let new = |code: &str| NewCommittee {
        code: code.parse().unwrap(),
        name: "Utvalg".parse().unwrap(),
    };
    // As an import does: store functions inside one transaction. The second fails on the
    // database's unique index (on PostgreSQL that aborts the transaction but for a savepoint).
    let outcome = app
        .store
        .run(move |conn| {
            write_transaction(conn, |conn| -> Result<(), StoreError> {
                committees::create(conn, new("PSU"), "test")?;
                let again = committees::create(conn, new("PSU"), "test");
                assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
                // The failed savepoint leaves the transaction usable.
                committees::create(conn, new("SSU"), "test")?;
                Err(StoreError::Invalid("the import failed later".into()))
            })
        })
        .await;
    assert!(
        matches!(outcome, Err(StoreError::Invalid(_))),
        "{outcome:?}"
    );
    assert_eq!(app.get("/api/v1/committees").await.expect(200), json!([]));
    // And one that succeeds keeps all it wrote.
    app.store
        .run(move |conn| {
            write_transaction(conn, |conn| -> Result<(), StoreError> {
                committees::create(conn, new("PSU"), "test")?;
                committees::create(conn, new("SSU"), "test")?;
                Ok(())
            })
        })
        .await
        .unwrap();
    let codes: Vec<String> = app
        .get("/api/v1/committees")
        .await
        .expect(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes, ["PSU", "SSU"]);
}

async fn odd_characters_and_oversized_documents(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // A NUL and a form feed from a broken extraction: PostgreSQL cannot store a NUL.
    let text = String::from_utf8(MINUTES_2024_12_05.to_vec())
        .unwrap()
        .replace("ASU drøftet planen.", "ASU drøftet\u{0} planen.\u{c}")
        .replace("orientering.\n2. ASU ber", "orientering.\u{0}\n2. ASU ber");
    let result = import(&app, text.as_bytes(), TEXT).await;
    // The committee, the meeting, 2 cases and 4 points.
    assert_eq!(result["import"]["summary"]["created"], 8, "{result}");
    assert!(!result.to_string().contains("\\u0000"), "{result}");
    let case = app
        .get("/api/v1/committees/ASU/cases/40-24")
        .await
        .expect(200);
    assert!(
        case["narrative"]
            .as_str()
            .unwrap()
            .starts_with("Referat:\nASU drøftet planen.\nOversikten"),
        "{case}"
    );

    let many_lines = "Sak: 18/24 Godkjenning\n".repeat(60_000);
    let detail = app
        .send_raw(
            Method::POST,
            "/api/v1/imports",
            TEXT,
            many_lines.into_bytes(),
        )
        .await
        .expect_problem(422);
    assert!(detail.contains("60000 lines"), "{detail}");
    let document = |cases: usize, points: usize| {
        let mut text = String::from("MØTEREFERAT ASU\nMøtedato: 05.12.24\n");
        for case in 1..=cases {
            text.push_str(&format!("Sak: {case}/24 Sak nummer {case}\nVedtak:\n"));
            for n in 1..=points {
                text.push_str(&format!("{n}. ASU tar punkt {n} til orientering.\n"));
            }
        }
        text.into_bytes()
    };
    let detail = app
        .send_raw(Method::POST, "/api/v1/imports", TEXT, document(201, 1))
        .await
        .expect_problem(422);
    assert!(detail.contains("201 cases"), "{detail}");
    let detail = app
        .send_raw(Method::POST, "/api/v1/imports", TEXT, document(180, 6))
        .await
        .expect_problem(422);
    assert!(detail.contains("1080 decision points"), "{detail}");
    assert_eq!(all_points(&app, "").await.len(), 4);
}

async fn a_small_docx_that_numbers_itself_to_gigabytes_is_refused_quickly_in_little_memory(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let bomb = numbering_bomb();
    assert!(bomb.len() < 32_000, "a small file: {} bytes", bomb.len());

    // Read here, on this thread, to count the memory it takes (before the fix: 1.2 GB).
    let started = std::time::Instant::now();
    let (read, peak) = crate::memory::peak_heap(|| vedtakslogg::import::read_document(&bomb));
    let error = read.expect_err("refused");
    assert!(peak < 32 * 1024 * 1024, "read with {peak} bytes of heap");
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    assert!(error.to_string().contains("word/numbering.xml"), "{error}");

    // Over HTTP: 422 with a detail that says what is wrong, and nothing written.
    let started = std::time::Instant::now();
    let detail = app
        .send_raw(Method::POST, "/api/v1/imports", DOCX, bomb)
        .await
        .expect_problem(422);
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    assert_eq!(
        detail,
        "the .docx is refused: list 1 of word/numbering.xml writes a number longer than 256 bytes before its paragraphs (level 0); that is no meeting document"
    );
    assert_eq!(app.get("/api/v1/imports").await.expect(200), json!([]));
    assert!(all_points(&app, "").await.is_empty());
}
