//! A catalogue of bad input across the API: each entry a request and the 4xx it must get, as
//! `application/problem+json` with a `detail`. None may get a 5xx, and the catalogue as a whole
//! must write nothing: the log, its lists and its history are the same before and after.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::{Value, json};
use vedtakslogg::config::Backend;

use crate::helpers::{TestApp, Who};
use crate::imports::{docx, numbering_bomb};

crate::on_both_backends!(bad_input_of_every_kind_gets_a_4xx_problem_and_writes_nothing);

/// One request of the catalogue.
struct Bad {
    kind: &'static str,
    method: Method,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    status: u16,
}

impl Bad {
    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value.into()));
        self
    }

    fn untyped(mut self) -> Self {
        self.headers.retain(|(n, _)| *n != "content-type");
        self
    }
}

/// A request with a JSON content type (when it has a body).
fn bad(
    kind: &'static str,
    method: Method,
    path: impl Into<String>,
    body: impl Into<Vec<u8>>,
    status: u16,
) -> Bad {
    let body = body.into();
    let headers = if body.is_empty() && method == Method::GET {
        vec![]
    } else {
        vec![("content-type", "application/json".to_owned())]
    };
    Bad {
        kind,
        method,
        path: path.into(),
        headers,
        body,
        status,
    }
}

fn get(kind: &'static str, path: impl Into<String>, status: u16) -> Bad {
    bad(kind, Method::GET, path, "", status)
}

fn post(kind: &'static str, path: &str, body: impl Into<Vec<u8>>, status: u16) -> Bad {
    bad(kind, Method::POST, path, body, status)
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The catalogue, for a log that holds committee ASU, a meeting, case 18/24 and its point 1.
fn catalogue(case: &str, point: &str, etag: &str) -> Vec<Bad> {
    let d = "/api/v1/decisions";
    let point_path = format!("{d}/{point}");
    let patch = |kind, body: &str, status| {
        bad(kind, Method::PATCH, point_path.clone(), body, status).header("if-match", etag)
    };
    let new_point = |fields: &str| {
        format!(
            r#"{{"case_id": "{case}", "position": "2", "kind": "assignment", "text": "Punkt", {fields}}}"#
        )
    };
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let owners = format!(
        r#"{{"case_id": "{case}", "position": "2", "kind": "assignment", "text": "Punkt", "owners": [{}]}}"#,
        vec![r#"{"owner": "Ukjent"}"#; 40_000].join(",")
    );
    let mut big_title =
        br#"{"committee": "ASU", "meeting_date": "2024-06-19", "number": "19/24", "title": ""#
            .to_vec();
    big_title.extend(std::iter::repeat_n(b'x', 1024 * 1024));
    big_title.extend(br#""}"#);
    let long_title = format!(
        r#"{{"committee": "ASU", "meeting_date": "2024-06-19", "number": "19/24", "title": "{}"}}"#,
        "Lang tittel ".repeat(20_000)
    );
    let mut zip_bomb = b"<w:document xmlns:w=\"w\"><w:body>".to_vec();
    zip_bomb.extend(std::iter::repeat_n(b' ', 64 * 1024 * 1024));
    zip_bomb.extend(b"</w:body></w:document>");
    let zip_bomb = docx(&[("word/document.xml", &zip_bomb)]);
    let deep_xml = format!(
        "<w:document xmlns:w=\"w\"><w:body>{}{}</w:body></w:document>",
        "<w:tbl>".repeat(5_000),
        "</w:tbl>".repeat(5_000)
    );
    let deep_xml = docx(&[("word/document.xml", deep_xml.as_bytes())]);
    let imports = "/api/v1/imports";
    let text = "text/plain; charset=utf-8";
    vec![
        // The body of a write.
        post("empty body", "/api/v1/committees", "", 400),
        post("blank body", "/api/v1/committees", "  \n ", 400),
        post(
            "truncated JSON",
            "/api/v1/committees",
            r#"{"code": "PSU", "na"#,
            400,
        ),
        post("not JSON at all", "/api/v1/committees", "<committee/>", 400),
        post(
            "invalid UTF-8 in the body",
            "/api/v1/committees",
            &b"{\"code\": \"PSU\", \"name\": \"\xff\"}"[..],
            400,
        ),
        post(
            "JSON nested 10,000 deep",
            "/api/v1/committees",
            deep.clone(),
            400,
        ),
        post(
            "a number past any float",
            "/api/v1/committees",
            r#"{"code": "PSU", "name": 1e999}"#,
            400,
        ),
        post(
            "duplicated JSON key",
            "/api/v1/committees",
            r#"{"code": "PSU", "code": "SSU", "name": "Prosjekt"}"#,
            400,
        ),
        post("an array for an object", "/api/v1/committees", "[]", 422),
        post(
            "a string for an object",
            "/api/v1/committees",
            r#""ASU""#,
            422,
        ),
        post(
            "null where a value is required",
            "/api/v1/committees",
            r#"{"code": null, "name": "Prosjekt"}"#,
            422,
        ),
        post(
            "missing field",
            "/api/v1/committees",
            r#"{"code": "PSU"}"#,
            422,
        ),
        post(
            "unknown field",
            "/api/v1/committees",
            r#"{"code": "PSU", "name": "Prosjekt", "colour": "red"}"#,
            422,
        ),
        post(
            "a number for a text",
            "/api/v1/committees",
            r#"{"code": "PSU", "name": 5}"#,
            422,
        ),
        post(
            "empty text",
            "/api/v1/committees",
            r#"{"code": "PSU", "name": "  "}"#,
            422,
        ),
        post(
            "control character in a text",
            "/api/v1/committees",
            r#"{"code": "PSU", "name": "Pro\u0007sjekt"}"#,
            422,
        ),
        post(
            "NUL in a key",
            "/api/v1/committees",
            r#"{"code": "PSU", "name": "Prosjekt", "a\u0000": 1}"#,
            422,
        ),
        post(
            "bad committee code",
            "/api/v1/committees",
            r#"{"code": "a s u!", "name": "Prosjekt"}"#,
            422,
        ),
        post(
            "duplicate committee",
            "/api/v1/committees",
            r#"{"code": "ASU", "name": "Igjen"}"#,
            409,
        ),
        post("body over 1 MiB", "/api/v1/cases", big_title, 413),
        post(
            "oversized text field (240 KB title)",
            "/api/v1/cases",
            long_title,
            422,
        ),
        post("JSON array of 40,000 owners", d, owners, 422),
        post(
            "wrong content type",
            "/api/v1/committees",
            r#"{"code": "PSU", "name": "Prosjekt"}"#,
            415,
        )
        .header("content-type", "text/plain"),
        post(
            "no content type",
            "/api/v1/committees",
            r#"{"code": "PSU", "name": "Prosjekt"}"#,
            415,
        )
        .untyped(),
        post(
            "malformed content type",
            "/api/v1/committees",
            r#"{"code": "PSU", "name": "Prosjekt"}"#,
            415,
        )
        .header("content-type", "application/"),
        post(
            "impossible date (2024-02-30)",
            "/api/v1/meetings",
            r#"{"committee": "ASU", "date": "2024-02-30"}"#,
            422,
        ),
        post(
            "date in the wrong form",
            "/api/v1/meetings",
            r#"{"committee": "ASU", "date": "2024/06/20"}"#,
            422,
        ),
        post(
            "impossible time (25:61)",
            "/api/v1/meetings",
            r#"{"committee": "ASU", "date": "2024-06-20", "start_time": "25:61"}"#,
            422,
        ),
        post(
            "unknown enum value",
            "/api/v1/meetings",
            r#"{"committee": "ASU", "date": "2024-06-20", "kind": "secret"}"#,
            422,
        ),
        post(
            "unknown committee",
            "/api/v1/meetings",
            r#"{"committee": "XYZ", "date": "2024-06-20"}"#,
            422,
        ),
        post(
            "bad case number (37/2x)",
            "/api/v1/cases",
            r#"{"committee": "ASU", "meeting_date": "2024-06-19", "number": "37/2x", "title": "T"}"#,
            422,
        ),
        post(
            "overflowing case number",
            "/api/v1/cases",
            r#"{"committee": "ASU", "meeting_date": "2024-06-19", "number": "99999999999999999999/24", "title": "T"}"#,
            422,
        ),
        post(
            "bad UUID in the body",
            "/api/v1/cases",
            r#"{"meeting_id": "not-a-uuid", "number": "19/24", "title": "T"}"#,
            422,
        ),
        post(
            "unknown meeting id",
            "/api/v1/cases",
            r#"{"meeting_id": "6b1d1b0f-0a11-4d6e-9d55-6f1c7c523b0e", "number": "19/24", "title": "T"}"#,
            422,
        ),
        post(
            "overflowing position",
            d,
            new_point(r#""public": true"#).replace(
                r#""position": "2""#,
                r#""position": "99999999999999999999""#,
            ),
            422,
        ),
        post(
            "a negative number for a position",
            d,
            new_point(r#""public": true"#).replace(r#""position": "2""#, r#""position": -1"#),
            422,
        ),
        post(
            "a string for a boolean",
            d,
            new_point(r#""public": "yes""#),
            422,
        ),
        post(
            "a number for a date",
            d,
            new_point(r#""deadline": 20240830"#),
            422,
        ),
        post(
            "null for a required text",
            d,
            new_point(r#""public": true"#).replace(r#""text": "Punkt""#, r#""text": null"#),
            422,
        ),
        post(
            "unknown owner",
            d,
            new_point(r#""owners": [{"owner": "Ingen slik gruppe"}]"#),
            422,
        ),
        post(
            "an orientation left open",
            d,
            new_point(r#""status": "open""#).replace("assignment", "orientation"),
            422,
        ),
        post(
            "duplicate position",
            d,
            new_point(r#""public": true"#).replace(r#""position": "2""#, r#""position": "1""#),
            409,
        ),
        post(
            "bad link target",
            &format!("/api/v1/cases/{case}/links"),
            r#"{"kind": "follows_up", "target": "31-23x"}"#,
            422,
        ),
        // Changes.
        bad(
            "change without If-Match",
            Method::PATCH,
            point_path.clone(),
            r#"{"status_note": "x"}"#,
            428,
        ),
        patch("If-Match that is no ETag", r#"{"status_note": "x"}"#, 400).header("if-match", "abc"),
        patch("If-Match: *", r#"{"status_note": "x"}"#, 428).header("if-match", "*"),
        patch(
            "If-Match with an overflowing version",
            r#"{"status_note": "x"}"#,
            400,
        )
        .header("if-match", "\"99999999999999999999\""),
        patch("If-Match of an old version", r#"{"status_note": "x"}"#, 412)
            .header("if-match", "\"0\""),
        patch("unknown status", r#"{"status": "bogus"}"#, 422),
        patch(
            "impossible deadline (2024-13-01)",
            r#"{"deadline": "2024-13-01"}"#,
            422,
        ),
        patch("unknown field in a change", r#"{"statu": "done"}"#, 422),
        patch(
            "null for a text that cannot be cleared",
            r#"{"text": null}"#,
            422,
        ),
        patch("null for the kind", r#"{"kind": null}"#, 422),
        patch("null for the owners", r#"{"owners": null}"#, 422),
        patch("null for the status", r#"{"status": null}"#, 422),
        patch(
            "a status change the rules forbid (cancel without a note)",
            r#"{"status": "cancelled"}"#,
            422,
        ),
        patch(
            "duplicated key in a change",
            r#"{"status_note": "x", "status_note": "y"}"#,
            400,
        ),
        // Query strings.
        get("limit 0", format!("{d}?limit=0"), 400),
        get("negative limit", format!("{d}?limit=-1"), 400),
        get("huge limit", format!("{d}?limit=1000000"), 400),
        get(
            "overflowing limit",
            format!("{d}?limit=99999999999999999999"),
            400,
        ),
        get("limit not a number", format!("{d}?limit=ten"), 400),
        get(
            "malformed cursor",
            format!("{d}?cursor=!!not-base64!!"),
            400,
        ),
        get(
            "cursor of other data",
            format!("{d}?cursor=eyJrIjogMX0"),
            400,
        ),
        get(
            "unknown status in a filter",
            format!("{d}?status=open,maybe"),
            400,
        ),
        get(
            "impossible date in a filter",
            format!("{d}?due_before=2024-02-30"),
            400,
        ),
        get("unknown parameter", format!("{d}?colour=red"), 400),
        get("repeated parameter", format!("{d}?limit=5&limit=6"), 400),
        get(
            "bad committee code in a filter",
            format!("{d}?committee=a%20b"),
            400,
        ),
        get("bad UUID in a filter", format!("{d}?case=123"), 400),
        get("bad timestamp", format!("{d}?updated_since=yesterday"), 400),
        get("control character in a query", format!("{d}?q=a%00b"), 400),
        get("invalid UTF-8 in a query", format!("{d}?q=%FF%FE"), 400),
        get(
            "invalid UTF-8 in a parameter name",
            format!("{d}?%FF=1"),
            400,
        ),
        get(
            "negative number of days",
            "/api/v1/stats?due_within=-5",
            400,
        ),
        get("unknown report format", "/api/v1/report?format=pdf", 400),
        // Paths.
        get("bad UUID in the path", format!("{d}/not-a-uuid"), 400),
        get("invalid UTF-8 in the path", format!("{d}/%FF%FE"), 400),
        get(
            "control character in the path",
            "/api/v1/committees/AS%07U",
            400,
        ),
        get(
            "bad case number in the path",
            "/api/v1/committees/ASU/cases/37-2x",
            400,
        ),
        get(
            "bad committee code in the path",
            "/api/v1/committees/a%20b/cases/18-24",
            400,
        ),
        get(
            "no such record",
            format!("{d}/6b1d1b0f-0a11-4d6e-9d55-6f1c7c523b0e"),
            404,
        ),
        bad(
            "deleting by a bad UUID",
            Method::DELETE,
            format!("/api/v1/cases/{}", "1".repeat(40)),
            "",
            400,
        )
        .untyped(),
        // Imports.
        post("import: empty body", imports, "", 400).header("content-type", text),
        post(
            "import: JSON instead of a document",
            imports,
            r#"{"cases": []}"#,
            415,
        ),
        post(
            "import: multipart upload",
            imports,
            "--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nSak: 18/24\r\n--x--\r\n",
            415,
        )
        .header("content-type", "multipart/form-data; boundary=x"),
        post(
            "import: multipart without a boundary",
            imports,
            "--x--",
            415,
        )
        .header("content-type", "multipart/form-data"),
        post(
            "import: bad option value",
            &format!("{imports}?dry_run=maybe"),
            "Sak: 18/24",
            400,
        )
        .header("content-type", text),
        post(
            "import: invalid UTF-8 text",
            imports,
            &b"M\xF8tereferat 19.06.24"[..],
            422,
        )
        .header("content-type", text),
        post("import: text that is no meeting", imports, "Hei!", 422).header("content-type", text),
        post(
            "import: a broken .docx",
            imports,
            &b"PK\x03\x04 not a zip"[..],
            422,
        )
        .header("content-type", DOCX),
        post("import: zip bomb (64 MB of XML)", imports, zip_bomb, 422)
            .header("content-type", DOCX),
        post(
            "import: numbering bomb (1.2 GB of list numbers)",
            imports,
            numbering_bomb(),
            422,
        )
        .header("content-type", DOCX),
        post("import: XML nested 5,000 deep", imports, deep_xml, 422).header("content-type", DOCX),
        post(
            "import: body over 20 MiB",
            imports,
            vec![b'a'; 20 * 1024 * 1024 + 1],
            413,
        )
        .header("content-type", text),
        // Who may do what.
        post(
            "no token",
            "/api/v1/committees",
            r#"{"code": "PSU", "name": "Prosjekt"}"#,
            401,
        )
        .header("authorization", ""),
        post(
            "malformed Authorization",
            "/api/v1/committees",
            r#"{"code": "PSU", "name": "Prosjekt"}"#,
            401,
        )
        .header("authorization", "Bearer"),
        post(
            "a token of the wrong role",
            "/api/v1/tokens",
            r#"{"name": "x", "role": "admin"}"#,
            403,
        ),
    ]
}

/// What the log holds, as a client reads it: every list, and the history of each record.
async fn snapshot(app: &TestApp, meeting: &str, case: &str, point: &str) -> Value {
    let mut state = json!({});
    for uri in [
        "/api/v1/committees".to_owned(),
        "/api/v1/meetings?limit=200".to_owned(),
        "/api/v1/cases?limit=200".to_owned(),
        "/api/v1/decisions?limit=200".to_owned(),
        "/api/v1/owners".to_owned(),
        "/api/v1/proposals".to_owned(),
        "/api/v1/imports".to_owned(),
        "/api/v1/stats".to_owned(),
        format!("/api/v1/meetings/{meeting}/history"),
        format!("/api/v1/cases/{case}/history"),
        format!("/api/v1/decisions/{point}/history"),
        format!("/api/v1/cases/{case}/links"),
    ] {
        state[&uri] = app.get(&uri).await.expect(200);
    }
    state["tokens"] = app.as_(Who::Admin).get("/api/v1/tokens").await.expect(200);
    state
}

async fn bad_input_of_every_kind_gets_a_4xx_problem_and_writes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let meeting = app.meeting("ASU", "2024-06-19").await;
    let case = app.case(&meeting, "18/24", "Godkjenning").await;
    let point = app.decision(&case, "1", "assignment", &[], None).await;
    let (meeting, case, point) = (
        meeting["id"].as_str().unwrap(),
        case["id"].as_str().unwrap(),
        point["id"].as_str().unwrap(),
    );
    let etag = app
        .get(&format!("/api/v1/decisions/{point}"))
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    let before = snapshot(&app, meeting, case, point).await;

    let catalogue = catalogue(case, point, &etag);
    let mut wrong = Vec::new();
    let mut not_4xx = Vec::new();
    for entry in &catalogue {
        let mut request = TestRequest::default()
            .method(entry.method.clone())
            .uri(&entry.path)
            .set_payload(entry.body.clone());
        for (name, value) in &entry.headers {
            request = request.insert_header((*name, value.clone()));
        }
        let who = if entry.headers.iter().any(|(n, _)| *n == "authorization") {
            Who::Anonymous
        } else {
            Who::Editor
        };
        let response = app.as_(who).send(request).await;
        let body: Option<Value> = serde_json::from_slice(&response.body).ok();
        let detail = body
            .as_ref()
            .and_then(|b| b["detail"].as_str())
            .filter(|d| !d.is_empty());
        let problem = response.header("content-type") == Some("application/problem+json");
        if response.status.as_u16() != entry.status || !problem || detail.is_none() {
            wrong.push(format!(
                "{}: {} {} got {} ({}) {}, expected {}",
                entry.kind,
                entry.method,
                entry.path.chars().take(80).collect::<String>(),
                response.status.as_u16(),
                response.header("content-type").unwrap_or("no content type"),
                String::from_utf8_lossy(&response.body)
                    .chars()
                    .take(200)
                    .collect::<String>(),
                entry.status
            ));
        }
        if !response.status.is_client_error() {
            not_4xx.push(format!("{}: {}", entry.kind, response.status));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(not_4xx.is_empty(), "not a 4xx: {not_4xx:#?}");
    assert!(catalogue.len() >= 40, "{} kinds", catalogue.len());
    let kinds: std::collections::BTreeSet<_> = catalogue.iter().map(|e| e.kind).collect();
    assert_eq!(kinds.len(), catalogue.len(), "each kind once");

    assert_eq!(snapshot(&app, meeting, case, point).await, before);
}
