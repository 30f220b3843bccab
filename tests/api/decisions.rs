//! Recording, changing and listing decision points.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use vedtakslogg::config::Backend;
use vedtakslogg::store::decisions::{self, DecisionFilter};

use crate::helpers::{TestApp, ids};

crate::on_both_backends!(
    filters_select_exactly_the_matching_points,
    free_text_search_is_case_insensitive_with_norwegian_letters,
    overdue_means_past_deadline_and_still_open,
    sorting_by_deadline_puts_points_without_one_last,
    pages_cover_every_point_once,
    a_list_takes_the_same_number_of_queries_for_one_point_or_fifty,
    changes_follow_the_rules_of_the_kind,
    the_answer_to_a_change_is_the_point_as_read_after_it,
    deleting_a_point_removes_it,
);

/// Two committees; ASU with cases 24/24 (three points) and 20/24, AU with 5/24.
struct Fixture {
    app: TestApp,
    case_24: Value,
    case_20: Value,
    case_au: Value,
    points: Vec<Value>,
}

async fn fixture(backend: Backend) -> Fixture {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    app.committee("AU", "Arbeidsutvalget").await;
    let june = app.meeting("ASU", "2024-06-19").await;
    let august = app.meeting("AU", "2024-08-15").await;
    let case_24 = app.case(&june, "24/24", "Status Handlingsplan").await;
    let case_20 = app
        .case(&june, "20/24", "Oppfølging sak 3/24 – læringspunkter")
        .await;
    let case_au = app.case(&august, "5/24", "Budsjett").await;
    let points = vec![
        app.decision(&case_24, "1", "orientation", &[], None).await,
        app.decision(
            &case_24,
            "2",
            "assignment",
            &["Sekretariatet"],
            Some("2024-08-30"),
        )
        .await,
        app.decision(
            &case_24,
            "3",
            "recommendation",
            &["Kommunene", "St. Olavs hospital"],
            Some("2024-12-06"),
        )
        .await,
        app.decision(
            &case_20,
            "1",
            "assignment",
            &["Forbedringsgruppa"],
            Some("2024-06-30"),
        )
        .await,
        app.decision(&case_au, "1", "scheduling", &["AU"], None)
            .await,
    ];
    Fixture {
        app,
        case_24,
        case_20,
        case_au,
        points,
    }
}

fn id(value: &Value) -> &str {
    value["id"].as_str().unwrap()
}

async fn filters_select_exactly_the_matching_points(backend: Backend) {
    let f = fixture(backend).await;
    let p = &f.points;
    let expect =
        |list: &[&Value]| -> Vec<String> { list.iter().map(|v| id(v).to_owned()).collect() };
    let cases: [(String, Vec<String>); 12] = [
        ("status=done".into(), expect(&[&p[0]])),
        (
            "status=open,in_progress".into(),
            expect(&[&p[4], &p[3], &p[1], &p[2]]),
        ),
        ("owner=forbedringsgruppen".into(), expect(&[&p[3]])),
        ("owner=ST.%20OLAVS%20HOSPITAL%20HF".into(), expect(&[&p[2]])),
        ("committee=au".into(), expect(&[&p[4]])),
        (format!("case={}", id(&f.case_20)), expect(&[&p[3]])),
        (
            format!("meeting={}", f.case_24["meeting"]["id"].as_str().unwrap()),
            expect(&[&p[3], &p[1], &p[2], &p[0]]),
        ),
        ("due_before=2024-08-30".into(), expect(&[&p[3], &p[1]])),
        ("due_after=2024-08-30".into(), expect(&[&p[1], &p[2]])),
        (
            "due_after=2024-07-01&due_before=2024-09-01".into(),
            expect(&[&p[1]]),
        ),
        (
            "kind=assignment,scheduling&committee=ASU".into(),
            expect(&[&p[3], &p[1]]),
        ),
        (
            format!("case={}&status=open", id(&f.case_au)),
            expect(&[&p[4]]),
        ),
    ];
    for (query, expected) in cases {
        let body = f
            .app
            .get(&format!("/api/v1/decisions?{query}"))
            .await
            .expect(200);
        // Sorted by committee, case number and position: AU 5/24 before ASU? No: codes sort
        // ASU < AU, and 20/24 before 24/24.
        let got = ids(&body["items"]);
        let mut want = expected.clone();
        let order = f.app.list_ids("/api/v1/decisions?limit=200").await;
        want.sort_by_key(|id| order.iter().position(|o| o == id));
        assert_eq!(got, want, "{query}");
        assert_eq!(body["total"], want.len(), "{query}");
    }
    // Every point carries its case, meeting and committee.
    let all = f.app.get("/api/v1/decisions").await.expect(200);
    let first = &all["items"][0];
    assert_eq!(first["case"]["committee"], "ASU");
    assert_eq!(first["case"]["number"], "20/24");
    assert_eq!(first["case"]["meeting_date"], "2024-06-19");
    assert_eq!(
        first["case"]["title"],
        "Oppfølging sak 3/24 – læringspunkter"
    );
    let three = f
        .app
        .get(&format!("/api/v1/decisions/{}", id(&p[2])))
        .await
        .expect(200);
    let owners: Vec<&str> = three["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        owners,
        ["Kommunene", "St. Olavs hospital"],
        "two owners, in the order given"
    );
}

async fn free_text_search_is_case_insensitive_with_norwegian_letters(backend: Backend) {
    let f = fixture(backend).await;
    let uri = format!("/api/v1/decisions/{}", id(&f.points[1]));
    f.app
        .patch(&uri, &json!({"text": "ASU ber sekretariatet utarbeide en vedtakslogg som kan fremlegges ved ønske/behov.", "status_note": "Utkast til ÅRSMØTET"}))
        .await
        .expect(200);
    for (q, expected) in [
        ("vedtakslogg", vec![id(&f.points[1])]),
        ("VEDTAKSLOGG", vec![id(&f.points[1])]),
        ("ØNSKE", vec![id(&f.points[1])]),
        ("årsmøtet", vec![id(&f.points[1])]),
        ("læringspunkter", vec![id(&f.points[3])]),
        ("st. olavs", vec![id(&f.points[2])]),
        ("budsjett", vec![id(&f.points[4])]),
        ("ønske behov", vec![id(&f.points[1])]),
        ("%", vec![]),
        ("_", vec![]),
        ("ingenting slikt", vec![]),
    ] {
        let got = f
            .app
            .list_ids(&format!("/api/v1/decisions?q={}", urlencode(q)))
            .await;
        assert_eq!(got, expected, "q={q}");
    }
    // A new note alone replaces the old in what the point is found by, ranked or in order.
    f.app
        .patch(&uri, &json!({"status_note": "Venter på revisjonsnotat"}))
        .await
        .expect(200);
    for order in ["", "&sort=deadline"] {
        assert_eq!(
            f.app
                .list_ids(&format!("/api/v1/decisions?q=revisjonsnotat{order}"))
                .await,
            [id(&f.points[1])],
            "{order}"
        );
        assert!(
            f.app
                .list_ids(&format!("/api/v1/decisions?q=%C3%A5rsm%C3%B8tet{order}"))
                .await
                .is_empty(),
            "the old note is gone {order}"
        );
    }
    // Renaming the case changes what its points are found by.
    f.app
        .patch(
            &format!("/api/v1/cases/{}", id(&f.case_au)),
            &json!({"title": "Årsbudsjett for helsefellesskapet"}),
        )
        .await
        .expect(200);
    assert_eq!(
        f.app.list_ids("/api/v1/decisions?q=%C3%A5rsbudsjett").await,
        [id(&f.points[4])]
    );
    assert!(
        f.app
            .list_ids("/api/v1/decisions?q=budsjett")
            .await
            .is_empty(),
        "the old title is gone"
    );

    // Word forms: the start of a longer word, and (stemmed or by prefix) Norwegian forms.
    f.app
        .patch(&uri, &json!({"text": "ASU anbefaler at kommunene tar i bruk e-læringskurset om vedtakslogg."}))
        .await
        .expect(200);
    for (q, found) in [
        ("e-læring", true),
        ("kommune", true),
        ("Kommunene", true),
        ("kommunal", false),
        ("kurs", false),
    ] {
        let got = f
            .app
            .list_ids(&format!("/api/v1/decisions?q={}", urlencode(q)))
            .await;
        assert_eq!(
            got.contains(&id(&f.points[1]).to_owned()),
            found,
            "q={q}: {got:?}"
        );
    }
    // A search of stop words alone ("om", "i": PostgreSQL's Norwegian configuration drops
    // them) finds them all the same, ranked and with the words marked.
    let hits = f
        .app
        .get("/api/v1/decisions?q=om%20i&sort=relevance")
        .await
        .expect(200);
    assert!(
        ids(&hits["items"]).contains(&id(&f.points[1]).to_owned()),
        "{hits}"
    );
    let snippet = hits["items"][0]["search"]["snippet"].as_str().unwrap();
    assert!(
        snippet.contains("[i]") || snippet.contains("[om]"),
        "{snippet}"
    );
    // Best match first, with the words found in context; other filters still apply.
    let hits = f
        .app
        .get("/api/v1/decisions?q=vedtakslogg%20kommunene")
        .await
        .expect(200);
    assert_eq!(hits["items"][0]["id"], f.points[1]["id"]);
    let snippet = hits["items"][0]["search"]["snippet"].as_str().unwrap();
    assert!(
        snippet.contains("[vedtakslogg]") || snippet.contains("[kommunene]"),
        "{snippet}"
    );
    assert!(
        f.app
            .list_ids("/api/v1/decisions?q=vedtakslogg&status=done")
            .await
            .is_empty()
    );
    // Without words every point is as relevant as the next: the default order.
    assert_eq!(
        f.app.list_ids("/api/v1/decisions?sort=relevance").await,
        f.app.list_ids("/api/v1/decisions").await
    );
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn overdue_means_past_deadline_and_still_open(backend: Backend) {
    let f = fixture(backend).await;
    let late = f
        .app
        .decision(&f.case_20, "2", "assignment", &["AU"], Some("2001-01-01"))
        .await;
    let late_done = f
        .app
        .decision(&f.case_20, "3", "assignment", &["AU"], Some("2001-01-01"))
        .await;
    f.app
        .patch(
            &format!("/api/v1/decisions/{}", id(&late_done)),
            &json!({"status": "done"}),
        )
        .await
        .expect(200);
    let future = f
        .app
        .decision(&f.case_20, "4", "assignment", &["AU"], Some("2999-01-01"))
        .await;
    let overdue = f.app.list_ids("/api/v1/decisions?overdue=true").await;
    // The fixture's 2024 deadlines have passed too.
    let expected: BTreeSet<&str> = [
        id(&late),
        id(&f.points[3]),
        id(&f.points[1]),
        id(&f.points[2]),
    ]
    .into();
    assert_eq!(
        overdue.iter().map(String::as_str).collect::<BTreeSet<_>>(),
        expected
    );
    let not_overdue = f
        .app
        .list_ids("/api/v1/decisions?overdue=false&limit=200")
        .await;
    assert!(not_overdue.contains(&id(&future).to_owned()));
    assert!(not_overdue.contains(&id(&late_done).to_owned()));
    assert_eq!(
        not_overdue.len() + overdue.len(),
        8,
        "every point is one or the other"
    );
    let late = f
        .app
        .get(&format!("/api/v1/decisions/{}", id(&late)))
        .await
        .expect(200);
    assert_eq!(late["overdue"], true);
    let future = f
        .app
        .get(&format!("/api/v1/decisions/{}", id(&future)))
        .await
        .expect(200);
    assert_eq!(future["overdue"], false);
}

async fn sorting_by_deadline_puts_points_without_one_last(backend: Backend) {
    let f = fixture(backend).await;
    let p = &f.points;
    let deadline_first = f.app.list_ids("/api/v1/decisions?sort=deadline").await;
    assert_eq!(&deadline_first[..3], [id(&p[3]), id(&p[1]), id(&p[2])]);
    let without: BTreeSet<&str> = deadline_first[3..].iter().map(String::as_str).collect();
    assert_eq!(without, [id(&p[0]), id(&p[4])].into());
    let latest_first = f.app.list_ids("/api/v1/decisions?sort=-deadline").await;
    assert_eq!(&latest_first[..3], [id(&p[2]), id(&p[1]), id(&p[3])]);
    let by_case_desc = f.app.list_ids("/api/v1/decisions?sort=-case").await;
    assert_eq!(by_case_desc[0], id(&p[4]), "AU sorts after ASU");
    f.app
        .patch(
            &format!("/api/v1/decisions/{}", id(&p[0])),
            &json!({"status_note": "Sist endret"}),
        )
        .await
        .expect(200);
    let updated_last = f.app.list_ids("/api/v1/decisions?sort=-updated").await;
    assert_eq!(updated_last[0], id(&p[0]));
}

async fn pages_cover_every_point_once(backend: Backend) {
    let f = fixture(backend).await;
    for position in 2..=8 {
        f.app
            .decision(
                &f.case_au,
                &position.to_string(),
                "assignment",
                &["AU"],
                None,
            )
            .await;
    }
    let mut seen = Vec::new();
    let mut uri = "/api/v1/decisions?limit=5&sort=deadline".to_owned();
    let mut pages = 0;
    loop {
        let page = f.app.get(&uri).await.expect(200);
        assert_eq!(page["total"], 12);
        assert!(page["items"].as_array().unwrap().len() <= 5);
        seen.extend(ids(&page["items"]));
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                uri = format!("/api/v1/decisions?limit=5&sort=deadline&cursor={cursor}")
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 12);
    assert_eq!(
        seen.iter().collect::<BTreeSet<_>>().len(),
        12,
        "no point twice"
    );
    // Points recorded before the cursor while a client pages neither shift nor repeat the rest.
    let first = f.app.get("/api/v1/decisions?limit=3").await.expect(200);
    let first_ids = ids(&first["items"]);
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let early = f.app.meeting("ASU", "2023-01-10").await;
    let early_case = f.app.case(&early, "1/23", "Tidlig sak").await;
    f.app
        .decision(&early_case, "1", "assignment", &["AU"], None)
        .await;
    let rest = f
        .app
        .list_ids(&format!("/api/v1/decisions?limit=200&cursor={cursor}"))
        .await;
    let all_before = seen.iter().filter(|id| !first_ids.contains(id)).count();
    assert_eq!(
        rest.len(),
        all_before,
        "the rest is exactly what followed the first page"
    );
    assert!(rest.iter().all(|id| !first_ids.contains(id)));
    // A cursor belongs to its query.
    let first = f.app.get("/api/v1/decisions?limit=5").await.expect(200);
    let cursor = first["next_cursor"].as_str().unwrap();
    let detail = f
        .app
        .get(&format!(
            "/api/v1/decisions?limit=5&status=open&cursor={cursor}"
        ))
        .await
        .expect_problem(400);
    assert!(detail.contains("cursor"), "{detail}");
}

/// Counts the statements a connection runs.
async fn count_list_queries(app: &TestApp) -> (usize, usize) {
    let (page, queries) = app
        .count_queries(|conn| {
            let filter = DecisionFilter {
                owner: Some("au".into()),
                ..DecisionFilter::default()
            };
            decisions::list(conn, &filter, None, 200)
        })
        .await;
    (page.items.len(), queries)
}

async fn a_list_takes_the_same_number_of_queries_for_one_point_or_fifty(backend: Backend) {
    let f = fixture(backend).await;
    let (one, queries_for_one) = count_list_queries(&f.app).await;
    assert_eq!(one, 1);
    for position in 2..=50 {
        let owners: &[&str] = if position % 2 == 0 {
            &["AU", "Sekretariatet"]
        } else {
            &["AU"]
        };
        f.app
            .decision(
                &f.case_au,
                &position.to_string(),
                "assignment",
                owners,
                None,
            )
            .await;
    }
    let (fifty, queries_for_fifty) = count_list_queries(&f.app).await;
    assert_eq!(fifty, 50);
    assert_eq!(queries_for_one, queries_for_fifty, "no query per point");
    assert!(
        queries_for_fifty <= 7,
        "begin, owner, the owner's size, count, page, owners and commit: {queries_for_fifty}"
    );
}

async fn changes_follow_the_rules_of_the_kind(backend: Backend) {
    let f = fixture(backend).await;
    let uri = format!("/api/v1/decisions/{}", id(&f.points[1]));
    let changed = f
        .app
        .patch(
            &uri,
            &json!({"owners": [{"owner": "kommunene"}, {"owner": "sykehuset", "responsible": true}],
                    "deadline": null, "status": "in_progress", "status_note": "  Startet  ", "position": "2a"}),
        )
        .await
        .expect(200);
    assert_eq!(changed["deadline"], Value::Null);
    assert_eq!(changed["status_note"], "Startet");
    assert_eq!(changed["position"], "2a");
    assert_eq!(changed["owners"][1]["name"], "St. Olavs hospital");
    assert_eq!(changed["owners"][1]["responsible"], true);
    assert!(changed["updated_at"].as_str() > f.points[1]["updated_at"].as_str());
    assert_eq!(changed["created_at"], f.points[1]["created_at"]);
    // Leaving fields out leaves them as they are.
    let same = f.app.patch(&uri, &json!({})).await.expect(200);
    assert_eq!(same["owners"], changed["owners"]);
    assert_eq!(same["status_note"], "Startet");
    // Reclassified as orientation, the point is closed; it cannot be reopened as such.
    let closed = f
        .app
        .patch(&uri, &json!({"kind": "orientation"}))
        .await
        .expect(200);
    assert_eq!(
        (
            closed["status"].as_str(),
            closed["needs_follow_up"].as_bool()
        ),
        (Some("done"), Some(false))
    );
    f.app
        .patch(&uri, &json!({"status": "open"}))
        .await
        .expect_problem(422);
    let reopened = f
        .app
        .patch(&uri, &json!({"kind": "assignment"}))
        .await
        .expect(200);
    assert_eq!(reopened["status"], "open");
    // Positions are unique within a case.
    let detail = f
        .app
        .patch(&uri, &json!({"position": "3"}))
        .await
        .expect_problem(409);
    assert!(
        detail.contains("already has a decision point 3"),
        "{detail}"
    );
    let detail = f
        .app
        .post(
            "/api/v1/decisions",
            &json!({"case_id": f.case_24["id"], "position": "1", "text": "x", "kind": "other"}),
        )
        .await
        .expect_problem(409);
    assert!(
        detail.contains("already has a decision point 1"),
        "{detail}"
    );
}

/// A change answers with the point as it is stored: each field is what a read after it gives,
/// whichever fields the change wrote, and its ETag names the new version.
async fn the_answer_to_a_change_is_the_point_as_read_after_it(backend: Backend) {
    let f = fixture(backend).await;
    let uri = format!("/api/v1/decisions/{}", id(&f.points[1]));
    for change in [
        json!({"status": "in_progress", "status_note": "  Arbeidet er i gang  "}),
        json!({"deadline": "2099-01-01"}),
        json!({"deadline": null, "comment": "Fristen er tatt bort"}),
        json!({"text": "ASU ber sekretariatet lage en vedtakslogg.", "public": false}),
        json!({"position": "4"}),
        json!({"status": "done", "status_note": "Rapportert", "evidence": {"case": "20/24"}}),
        json!({"status_note": "Rapportert i møtet"}),
        json!({"status": "open", "status_note": "Åpnet igjen", "deadline": "2001-01-01"}),
        json!({"owners": [{"owner": "AU", "responsible": true}, {"owner": "Kommunene"}]}),
    ] {
        let response = f.app.patch(&uri, &change).await;
        let answered = response.expect(200);
        let read = f.app.get(&uri).await;
        assert_eq!(answered, read.expect(200), "{change}");
        let etag = format!("\"{}\"", answered["version"]);
        assert_eq!(response.header("etag"), Some(etag.as_str()), "{change}");
    }
    let last = f.app.get(&uri).await.expect(200);
    assert_eq!(last["version"], 10);
    assert_eq!(last["overdue"], true);
    assert_eq!(last["position"], "4");
    assert_eq!(last["public"], false);
}

async fn deleting_a_point_removes_it(backend: Backend) {
    let f = fixture(backend).await;
    let uri = format!("/api/v1/decisions/{}", id(&f.points[2]));
    assert_eq!(f.app.delete(&uri).await.status, 204);
    let detail = f.app.get(&uri).await.expect_problem(410);
    assert!(
        detail.contains("was deleted") && detail.contains("Sekretariatet"),
        "{detail}"
    );
    f.app.delete(&uri).await.expect_problem(410);
    assert_eq!(f.app.get("/api/v1/decisions").await.expect(200)["total"], 4);
    // Its owners can now be deleted: they own nothing else.
    assert_eq!(f.app.delete("/api/v1/owners/Kommunene").await.status, 204);
}
