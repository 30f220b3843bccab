//! What AU asks: the dashboard counts, the list for the next meeting, and the calendar feed.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use vedtakslogg::api::auth::AccessSettings;
use vedtakslogg::config::Backend;

use crate::helpers::{TestApp, Who};

crate::on_both_backends!(
    stats_equal_counts_made_from_the_list,
    stats_are_kept_until_the_log_changes_and_follow_every_change,
    the_follow_up_list_groups_open_work_by_owner,
    the_follow_up_list_holds_the_postponed_cases_waiting_at_the_meeting,
    the_calendar_holds_one_event_per_open_point_with_a_deadline,
    the_report_comes_as_json_csv_for_excel_and_printable_html,
    stats_report_and_calendar_count_a_log_of_more_points_than_sql_variables,
    the_kept_tallies_equal_a_count_from_scratch_after_every_kind_of_change,
    a_word_in_much_of_the_log_pages_in_deadline_order_as_a_rare_word_does,
    an_owners_open_work_pages_from_its_own_index_as_every_point_of_theirs_sorted_would,
);

/// Two meetings of ASU and one of AU, with points of every status.
async fn log(app: &TestApp) -> Vec<Value> {
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    app.committee("AU", "Arbeidsutvalget").await;
    let june = app.meeting("ASU", "2024-06-19").await;
    let august = app.meeting("ASU", "2024-08-30").await;
    let au = app.meeting("AU", "2024-08-15").await;
    let c24 = app.case(&june, "24/24", "Status Handlingsplan").await;
    let c25 = app.case(&august, "30/24", "Samhandlingstilskudd").await;
    let cau = app.case(&au, "5/24", "Budsjett").await;
    let mut points = vec![
        app.decision(&c24, "1", "orientation", &[], None).await,
        app.decision(
            &c24,
            "2",
            "assignment",
            &["Sekretariatet"],
            Some("2001-01-01"),
        )
        .await,
        app.decision(
            &c24,
            "3",
            "recommendation",
            &["Kommunene", "St. Olavs hospital"],
            Some("2999-12-31"),
        )
        .await,
        app.decision(&c25, "1", "assignment", &["Sekretariatet", "AU"], None)
            .await,
        app.decision(
            &c25,
            "2",
            "assignment",
            &["Analysegruppen"],
            Some("2001-06-01"),
        )
        .await,
        app.decision(&cau, "1", "scheduling", &["AU"], Some("2002-01-01"))
            .await,
    ];
    let in_progress = app
        .patch(
            &format!("/api/v1/decisions/{}", points[3]["id"].as_str().unwrap()),
            &json!({"status": "in_progress"}),
        )
        .await
        .expect(200);
    points[3] = in_progress;
    let cancelled = app
        .patch(
            &format!("/api/v1/decisions/{}", points[4]["id"].as_str().unwrap()),
            &json!({"status": "cancelled", "status_note": "Overtatt av fagråd 5"}),
        )
        .await
        .expect(200);
    points[4] = cancelled;
    points
}

fn tally(points: &[&Value]) -> BTreeMap<&'static str, i64> {
    let mut counts = BTreeMap::new();
    for key in [
        "open",
        "in_progress",
        "done",
        "cancelled",
        "overdue",
        "total",
    ] {
        counts.insert(key, 0);
    }
    for point in points {
        let status = match point["status"].as_str().unwrap() {
            "open" => "open",
            "in_progress" => "in_progress",
            "done" => "done",
            _ => "cancelled",
        };
        *counts.get_mut(status).unwrap() += 1;
        *counts.get_mut("total").unwrap() += 1;
        if point["overdue"] == true {
            *counts.get_mut("overdue").unwrap() += 1;
        }
    }
    counts
}

fn counts_of(value: &Value) -> BTreeMap<&'static str, i64> {
    [
        "open",
        "in_progress",
        "done",
        "cancelled",
        "overdue",
        "total",
    ]
    .into_iter()
    .map(|key| {
        (
            key,
            value[key]
                .as_i64()
                .unwrap_or_else(|| panic!("{key} in {value}")),
        )
    })
    .collect()
}

/// The counts of the whole log, from the stats and from the list of every point.
async fn stats_and_list(
    app: &TestApp,
) -> (
    BTreeMap<&'static str, i64>,
    BTreeMap<&'static str, i64>,
    Value,
) {
    let stats = app.get("/api/v1/stats").await.expect(200);
    let all = app.get("/api/v1/decisions?limit=200").await.expect(200);
    let points: Vec<&Value> = all["items"].as_array().unwrap().iter().collect();
    (counts_of(&stats), tally(&points), stats)
}

/// The dashboard is kept between changes (a change made behind the service's back shows only
/// with the next change through it, which proves the kept answer is served), and every kind
/// of change through the service shows at once.
async fn stats_are_kept_until_the_log_changes_and_follow_every_change(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let points = log(&app).await;
    let (before, listed, _) = stats_and_list(&app).await;
    assert_eq!(before, listed);

    let behind_the_back = points
        .iter()
        .find(|p| p["status"] == "open")
        .and_then(|p| p["id"].as_str())
        .unwrap()
        .to_owned();
    let id = behind_the_back.clone();
    app.store
        .run_blocking(move |conn| {
            use diesel::RunQueryDsl;
            diesel::sql_query(format!(
                "UPDATE decisions SET status = 'done' WHERE id = '{id}'"
            ))
            .execute(conn)?;
            Ok(())
        })
        .unwrap();
    let (kept, listed, _) = stats_and_list(&app).await;
    assert_eq!(
        kept, before,
        "nothing changed through the service: the kept answer"
    );
    assert_ne!(listed, before, "the list reads the table itself");

    let open: Vec<String> = points
        .iter()
        .filter(|p| p["status"] == "open" && p["id"] != behind_the_back.as_str())
        .map(|p| format!("/api/v1/decisions/{}", p["id"].as_str().unwrap()))
        .collect();
    let point = |i: usize| open[i - 1].clone();
    app.patch(&point(1), &json!({"status": "in_progress"}))
        .await
        .expect(200);
    let (after, listed, _) = stats_and_list(&app).await;
    assert_eq!(
        after, listed,
        "a change shows, and so does the one made before it"
    );

    // The kept answer is sent as rendered once, with its tag: unchanged, a poll costs a 304;
    // after a change, the new answer and a new tag.
    let reader = app.as_(Who::Reader);
    let conditional = |tag: String| {
        reader.send(
            actix_web::test::TestRequest::get()
                .uri("/api/v1/stats")
                .insert_header(("if-none-match", tag)),
        )
    };
    let first = reader.get("/api/v1/stats").await;
    let tag = first
        .header("etag")
        .expect("the counts have an ETag")
        .to_owned();
    assert_eq!(
        first.header("content-type"),
        Some("application/json"),
        "{tag}"
    );
    let again = reader.get("/api/v1/stats").await;
    assert_eq!(
        (again.header("etag"), &again.body),
        (Some(tag.as_str()), &first.body)
    );
    let unchanged = conditional(tag.clone()).await;
    assert_eq!(unchanged.status, 304);
    assert!(unchanged.body.is_empty());
    assert_eq!(unchanged.header("etag"), Some(tag.as_str()));
    app.patch(&point(1), &json!({"status": "done"}))
        .await
        .expect(200);
    let changed = conditional(tag.clone()).await;
    assert_eq!(changed.status, 200, "a change gives a new answer");
    assert_ne!(changed.header("etag"), Some(tag.as_str()));
    assert_eq!(counts_of(&changed.json()), stats_and_list(&app).await.1);

    // A deadline passed, an owner, a deletion, a case moved to another meeting: each shows.
    app.patch(&point(2), &json!({"deadline": "2020-01-01"}))
        .await
        .expect(200);
    let (counts, listed, _) = stats_and_list(&app).await;
    assert_eq!(counts, listed);
    let owners_before = stats_and_list(&app).await.2["by_owner"].clone();
    app.patch(
        &point(2),
        &json!({"owners": [{"owner": "Analysegruppen"}, {"owner": "Kommunene"}]}),
    )
    .await
    .expect(200);
    let (_, _, stats) = stats_and_list(&app).await;
    assert_ne!(stats["by_owner"], owners_before, "owners show at once");
    assert_eq!(app.delete(&point(1)).await.status, 204);
    let (counts, listed, _) = stats_and_list(&app).await;
    assert_eq!(counts, listed);
    let meetings_before = stats_and_list(&app).await.2["by_meeting"].clone();
    let case = app.get(&point(2)).await.expect(200)["case"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let committee = app.get(&format!("/api/v1/cases/{case}")).await.expect(200)["committee"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = app.meeting(&committee, "2024-12-04").await;
    app.patch(
        &format!("/api/v1/cases/{case}"),
        &json!({"meeting_id": other["id"]}),
    )
    .await
    .expect(200);
    let (_, _, stats) = stats_and_list(&app).await;
    assert_ne!(
        stats["by_meeting"], meetings_before,
        "a moved case counts at its new meeting"
    );
}

async fn stats_equal_counts_made_from_the_list(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    log(&app).await;
    let all = app
        .get("/api/v1/decisions?committee=ASU&limit=200")
        .await
        .expect(200);
    let points: Vec<&Value> = all["items"].as_array().unwrap().iter().collect();
    let stats = app
        .get("/api/v1/stats?committee=ASU&due_within=30")
        .await
        .expect(200);
    assert_eq!(counts_of(&stats), tally(&points));
    assert_eq!(stats["due_soon"], 0);
    for meeting in stats["by_meeting"].as_array().unwrap() {
        let date = meeting["date"].as_str().unwrap();
        let of_meeting: Vec<&Value> = points
            .iter()
            .copied()
            .filter(|p| p["case"]["meeting_date"] == date)
            .collect();
        assert_eq!(counts_of(meeting), tally(&of_meeting), "{date}");
    }
    assert_eq!(stats["by_meeting"].as_array().unwrap().len(), 2);
    for owner in stats["by_owner"].as_array().unwrap() {
        let name = owner["owner"].as_str().unwrap();
        let owned: Vec<&Value> = points
            .iter()
            .copied()
            .filter(|p| {
                let owners = p["owners"].as_array().unwrap();
                if name == "Uten ansvarlig" {
                    owners.is_empty()
                } else {
                    owners.iter().any(|o| o["name"] == name)
                }
            })
            .collect();
        assert_eq!(counts_of(owner), tally(&owned), "{name}");
    }
    // A period narrows it to the meetings in it; a hidden committee filter counts everything.
    let june = app
        .get("/api/v1/stats?committee=ASU&from=2024-06-01&to=2024-06-30")
        .await
        .expect(200);
    assert_eq!(june["total"], 3);
    let everything = app.get("/api/v1/stats").await.expect(200);
    assert_eq!(everything["total"], 6);
    let soon = app.get("/api/v1/stats?due_within=366").await.expect(200);
    assert_eq!(soon["due_soon"], 0, "2999 is not soon");
    // A deadline five days from now is due within a week, not within three days.
    let in_five_days = (chrono::Utc::now().date_naive() + chrono::TimeDelta::days(5)).to_string();
    let case = app
        .get("/api/v1/committees/ASU/cases/24-24")
        .await
        .expect(200);
    app.decision(&case, "4", "assignment", &["AU"], Some(&in_five_days))
        .await;
    assert_eq!(
        app.get("/api/v1/stats?committee=ASU&due_within=7")
            .await
            .expect(200)["due_soon"],
        1
    );
    assert_eq!(
        app.get("/api/v1/stats?committee=ASU&due_within=3")
            .await
            .expect(200)["due_soon"],
        0
    );
    app.get("/api/v1/stats?due_within=1000")
        .await
        .expect_problem(400);
    app.get("/api/v1/stats?from=2024-13-01")
        .await
        .expect_problem(400);
}

async fn the_follow_up_list_groups_open_work_by_owner(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let points = log(&app).await;
    app.meeting("ASU", "2024-03-13").await;
    let postponed = app
        .post("/api/v1/cases", &json!({"committee": "ASU", "meeting_date": "2024-03-13", "number": "15/24", "title": "Trainee-ordning", "status": "postponed"}))
        .await
        .expect(201);
    let list = app
        .get("/api/v1/committees/ASU/follow-up?meeting_date=2024-08-30")
        .await
        .expect(200);
    assert_eq!(list["meeting_date"], "2024-08-30");
    let groups: BTreeMap<String, Vec<String>> = list["by_owner"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let ids = g["decisions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["id"].as_str().unwrap().to_owned())
                .collect();
            (g["owner"].as_str().unwrap().to_owned(), ids)
        })
        .collect();
    let id = |i: usize| points[i]["id"].as_str().unwrap().to_owned();
    let expected: BTreeMap<String, Vec<String>> = [
        ("AU".to_owned(), vec![id(3)]),
        ("Kommunene".to_owned(), vec![id(2)]),
        ("Sekretariatet".to_owned(), vec![id(1), id(3)]),
        ("St. Olavs hospital".to_owned(), vec![id(2)]),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        groups, expected,
        "open work of ASU only, overdue first; orientation, cancelled and AU's own left out"
    );
    assert_eq!(list["postponed"][0]["id"], postponed["id"]);
    assert_eq!(
        list["next_cursor"],
        Value::Null,
        "the whole list fits one page"
    );
    // Page by page, one point each, in deadline order: the same points under the same owners,
    // and the postponed cases with the first page only.
    let mut paged: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut uri = "/api/v1/committees/ASU/follow-up?meeting_date=2024-08-30&limit=1".to_owned();
    let mut pages = 0;
    loop {
        let response = app.get(&uri).await;
        let link = response.header("link").map(str::to_owned);
        let page = response.expect(200);
        pages += 1;
        assert_eq!(
            page["postponed"].as_array().unwrap().len(),
            usize::from(pages == 1)
        );
        for group in page["by_owner"].as_array().unwrap() {
            for point in group["decisions"].as_array().unwrap() {
                paged
                    .entry(group["owner"].as_str().unwrap().to_owned())
                    .or_default()
                    .push(point["id"].as_str().unwrap().to_owned());
            }
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                assert!(link.is_some_and(|l| l.contains("rel=\"next\"")));
                uri = format!(
                    "/api/v1/committees/ASU/follow-up?meeting_date=2024-08-30&limit=1&cursor={cursor}"
                );
            }
            None => break,
        }
    }
    assert_eq!(pages, 3, "three points, one a page");
    assert_eq!(paged, expected);
    for bad in ["limit=0", "limit=1001", "cursor=nonsense"] {
        app.get(&format!(
            "/api/v1/committees/ASU/follow-up?meeting_date=2024-08-30&{bad}"
        ))
        .await
        .expect_problem(400);
    }
    // The same list as a page to bring to the meeting.
    let page = app
        .get("/api/v1/committees/ASU/follow-up?meeting_date=2024-08-30&format=html")
        .await;
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = String::from_utf8(page.body).unwrap();
    assert!(
        html.contains("<html lang=\"nb\">") && html.contains("Saker til oppfølging – ASU"),
        "{html}"
    );
    for owner in [
        "<h2>AU</h2>",
        "<h2>Kommunene</h2>",
        "<h2>Sekretariatet</h2>",
        "<h2>St. Olavs hospital</h2>",
    ] {
        assert!(html.contains(owner), "{owner}");
    }
    assert!(
        html.contains("Utsatte saker som ikke er tatt opp") && html.contains("Trainee-ordning")
    );
    assert!(html.contains("Åpen (forfalt)"));
    app.get("/api/v1/committees/XYZ/follow-up")
        .await
        .expect_problem(404);
    app.get("/api/v1/committees/ASU/follow-up?meeting_date=30.08.2024")
        .await
        .expect_problem(400);
}

/// The ids of the postponed cases on the follow-up list for ASU's meeting on `date`.
async fn waiting_on_the_list(app: &TestApp, who: Who, date: &str) -> Vec<String> {
    let list = app
        .as_(who)
        .get(&format!(
            "/api/v1/committees/ASU/follow-up?meeting_date={date}"
        ))
        .await
        .expect(200);
    let mut ids: Vec<String> = list["postponed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| case["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

async fn the_follow_up_list_holds_the_postponed_cases_waiting_at_the_meeting(backend: Backend) {
    let app = TestApp::spawn_with(backend, AccessSettings { public_read: true }).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let march = app.meeting("ASU", "2024-03-13").await;
    let april = app.meeting("ASU", "2024-04-10").await;
    let september = app.meeting("ASU", "2024-09-18").await;
    let postponed = |number: &str, meeting: &Value| json!({"meeting_id": meeting["id"], "number": number, "title": format!("Sak {number}"), "status": "postponed"});
    let link = |from: &Value, to: &str| {
        (
            format!("/api/v1/cases/{}/links", from["id"].as_str().unwrap()),
            json!({"kind": "postponed_to", "target": to}),
        )
    };
    let mut cases = BTreeMap::new();
    for (number, meeting) in [
        ("10/24", &march),
        ("11/24", &march),
        ("12/24", &march),
        ("13/24", &march),
        ("14/24", &march),
        ("40/24", &september),
    ] {
        let case = app
            .post("/api/v1/cases", &postponed(number, meeting))
            .await
            .expect(201);
        cases.insert(number, case);
    }
    // 10/24 went to a case known only by its number; 11/24 to one taken up (decided);
    // 12/24 first to a case taken up and then to one not yet decided; 13/24 to a case taken up
    // that is exempt from public access; 14/24 nowhere yet; 40/24 after the meeting.
    let taken_up = app.case(&april, "21/24", "Tatt opp").await;
    let waiting = app.case(&april, "22/24", "Ikke avgjort").await;
    let hidden = app
        .post(
            "/api/v1/cases",
            &json!({"meeting_id": april["id"], "number": "23/24", "title": "Unntatt", "public": false}),
        )
        .await
        .expect(201);
    for (from, to) in [
        ("10/24", "30/24"),
        ("11/24", "21/24"),
        ("12/24", "21/24"),
        ("12/24", "22/24"),
        ("13/24", "23/24"),
    ] {
        let (uri, body) = link(&cases[from], to);
        app.post(&uri, &body).await.expect(201);
    }
    for decided in [&taken_up, &hidden] {
        app.patch(
            &format!("/api/v1/cases/{}", decided["id"].as_str().unwrap()),
            &json!({"status": "decided"}),
        )
        .await
        .expect(200);
    }
    let ids = |numbers: &[&str]| {
        let mut ids: Vec<String> = numbers
            .iter()
            .map(|n| cases[n]["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(
        waiting_on_the_list(&app, Who::Editor, "2024-08-30").await,
        ids(&["10/24", "12/24", "14/24"]),
        "not 11/24 or 13/24 (taken up), not 40/24 (a later meeting)"
    );
    assert_eq!(
        waiting_on_the_list(&app, Who::Anonymous, "2024-08-30").await,
        ids(&["10/24", "12/24", "13/24", "14/24"]),
        "a public reader does not see where 13/24 went, so it waits"
    );
    assert_eq!(
        waiting_on_the_list(&app, Who::Editor, "2024-09-18").await,
        ids(&["10/24", "12/24", "14/24", "40/24"])
    );
    assert!(
        waiting_on_the_list(&app, Who::Editor, "2024-03-12")
            .await
            .is_empty()
    );
    agrees_with_each_case(&app, backend).await;
    // Taking 22/24 up takes 12/24 off the list.
    app.patch(
        &format!("/api/v1/cases/{}", waiting["id"].as_str().unwrap()),
        &json!({"status": "decided"}),
    )
    .await
    .expect(200);
    assert_eq!(
        waiting_on_the_list(&app, Who::Editor, "2024-08-30").await,
        ids(&["10/24", "14/24"])
    );
    agrees_with_each_case(&app, backend).await;

    // The list reads the cases known to be taken up from an index: every change that can put a
    // case back on it does. 21/24 reopened and decided again, hidden and shown again:
    let taken_up_uri = format!("/api/v1/cases/{}", taken_up["id"].as_str().unwrap());
    for (change, waits) in [
        (json!({"status": "planned"}), true),
        (json!({"status": "decided"}), false),
        (json!({"public": false}), true),
        (json!({"public": true}), false),
    ] {
        app.patch(&taken_up_uri, &change).await.expect(200);
        let anonymous = waiting_on_the_list(&app, Who::Anonymous, "2024-08-30").await;
        assert_eq!(anonymous.contains(&ids(&["11/24"])[0]), waits, "{change}");
        agrees_with_each_case(&app, backend).await;
    }
    // 11/24 postponed again, to a case not yet recorded; the link deleted; 10/24's case recorded
    // (its link finds it) and decided.
    let (uri, body) = link(&cases["11/24"], "31/24");
    let again = app.post(&uri, &body).await.expect(201);
    assert!(
        waiting_on_the_list(&app, Who::Editor, "2024-08-30")
            .await
            .contains(&ids(&["11/24"])[0])
    );
    agrees_with_each_case(&app, backend).await;
    let again_uri = format!("/api/v1/links/{}", again["id"].as_str().unwrap());
    assert_eq!(app.delete(&again_uri).await.status, 204);
    agrees_with_each_case(&app, backend).await;
    let recorded = app.case(&april, "30/24", "Tatt opp senere").await;
    agrees_with_each_case(&app, backend).await;
    app.patch(
        &format!("/api/v1/cases/{}", recorded["id"].as_str().unwrap()),
        &json!({"status": "decided"}),
    )
    .await
    .expect(200);
    assert_eq!(
        waiting_on_the_list(&app, Who::Editor, "2024-08-30").await,
        ids(&["14/24"])
    );
    agrees_with_each_case(&app, backend).await;
}

/// The postponed cases on ASU's list for 30.08.24 are those each case's own answer says are
/// not taken up, for an editor and for a public reader; and every case's kept hint
/// (`postponement_settled`) equals what the links give when worked out again.
async fn agrees_with_each_case(app: &TestApp, backend: Backend) {
    for who in [Who::Editor, Who::Anonymous] {
        let all = app
            .as_(who)
            .get("/api/v1/cases?committee=ASU&status=postponed")
            .await
            .expect(200);
        let mut expected: Vec<String> = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|case| case["meeting"]["date"].as_str() <= Some("2024-08-30"))
            .filter(|case| case["postponed_to"]["taken_up"] != true)
            .map(|case| case["id"].as_str().unwrap().to_owned())
            .collect();
        expected.sort();
        assert_eq!(waiting_on_the_list(app, who, "2024-08-30").await, expected);
    }
    let worked_out = match backend {
        Backend::Sqlite => {
            "(SELECT settled FROM postponement_settlements s WHERE s.case_id = cases.id)"
        }
        Backend::Postgres => "postponement_settled_of(cases.id)",
    };
    let stale: i64 = app
        .store
        .run_blocking(move |conn| {
            use diesel::RunQueryDsl;
            #[derive(diesel::QueryableByName)]
            struct Stale {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                stale: i64,
            }
            Ok(diesel::sql_query(format!(
                "SELECT COUNT(*) AS stale FROM cases \
                 WHERE postponement_settled <> {worked_out}"
            ))
            .get_result::<Stale>(conn)?
            .stale)
        })
        .unwrap();
    assert_eq!(stale, 0, "every case's hint is what its links give");
}

async fn the_calendar_holds_one_event_per_open_point_with_a_deadline(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let points = log(&app).await;
    let uri = format!("/api/v1/decisions/{}", points[1]["id"].as_str().unwrap());
    app.patch(&uri, &json!({"text": "ASU ber sekretariatet, i samråd med AU; om en vedtakslogg.\nFortløpende."}))
        .await
        .expect(200);
    let response = app.get("/api/v1/calendar.ics").await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("text/calendar; charset=utf-8")
    );
    let text = String::from_utf8(response.body.clone()).unwrap();
    assert!(
        text.lines().all(|l| l.len() <= 76),
        "lines are folded at 75 octets"
    );
    let events = parse(&text);
    // Open or in progress, with a deadline: points 1, 2 and 5 (AU's); not the cancelled one.
    let uids: Vec<String> = events.iter().map(|e| e["UID"].clone()).collect();
    let expected: Vec<String> = [1, 2, 5]
        .iter()
        .map(|i| format!("{}@vedtakslogg", points[*i]["id"].as_str().unwrap()))
        .collect();
    let mut sorted = uids.clone();
    sorted.sort();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    assert_eq!(sorted, expected_sorted);
    let first = events.iter().find(|e| e["UID"] == expected[0]).unwrap();
    assert_eq!(first["DTSTART"], "20010101");
    assert!(
        first["SUMMARY"]
            .starts_with("Frist ASU 24/24-2: ASU ber sekretariatet\\, i samråd med AU\\; om"),
        "{}",
        first["SUMMARY"]
    );
    // Stable UIDs: the same events the next time, and a moved deadline moves the same event.
    app.patch(&uri, &json!({"deadline": "2001-02-01"}))
        .await
        .expect(200);
    let again = parse(
        &String::from_utf8(app.get("/api/v1/calendar.ics?committee=ASU").await.body).unwrap(),
    );
    let moved = again.iter().find(|e| e["UID"] == expected[0]).unwrap();
    assert_eq!(moved["DTSTART"], "20010201");
    assert_eq!(again.len(), 2, "ASU's only");
    let owner = parse(
        &String::from_utf8(app.get("/api/v1/calendar.ics?owner=kommunene").await.body).unwrap(),
    );
    assert_eq!(owner.len(), 1);
    // A calendar program subscribes with the token in the URL.
    let reader = app.token(Who::Reader).unwrap().to_owned();
    let subscribed = app
        .as_(Who::Anonymous)
        .get(&format!("/api/v1/calendar.ics?access_token={reader}"))
        .await;
    assert_eq!(parse(&String::from_utf8(subscribed.body).unwrap()).len(), 3);
    // Anywhere else a token in the URL is not taken.
    app.as_(Who::Anonymous)
        .get(&format!("/api/v1/decisions?access_token={reader}"))
        .await
        .expect_problem(401);
    app.as_(Who::Anonymous)
        .get("/api/v1/calendar.ics")
        .await
        .expect_problem(401);
}

/// The events of a calendar, each as property name -> value, read by an iCalendar parser.
fn parse(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut calendars = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let calendar = calendars
        .next()
        .expect("one calendar")
        .expect("a valid calendar");
    assert!(calendars.next().is_none());
    calendar
        .events
        .iter()
        .map(|event| {
            event
                .properties
                .iter()
                .map(|p| (p.name.clone(), p.value.clone().unwrap_or_default()))
                .collect()
        })
        .collect()
}

async fn the_report_comes_as_json_csv_for_excel_and_printable_html(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let points = log(&app).await;
    let tricky = format!("/api/v1/decisions/{}", points[1]["id"].as_str().unwrap());
    app.patch(
        &tricky,
        &json!({"text": "ASU ber sekretariatet; \"vedtakslogg\" <nå>,\nfortløpende."}),
    )
    .await
    .expect(200);

    let report = app.get("/api/v1/report?committee=ASU").await.expect(200);
    let meetings = report["meetings"].as_array().unwrap();
    let dates: Vec<&str> = meetings
        .iter()
        .map(|m| m["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2024-06-19", "2024-08-30"]);
    assert_eq!(meetings[0]["cases"][0]["number"], "24/24");
    let positions: Vec<&str> = meetings[0]["cases"][0]["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["position"].as_str().unwrap())
        .collect();
    assert_eq!(positions, ["1", "2", "3"]);

    // CSV, as Excel reads it: a byte order mark, semicolons, dd.mm.yyyy.
    let response = app.get("/api/v1/report?committee=ASU&format=csv").await;
    assert_eq!(
        response.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    assert!(
        response.body.starts_with("\u{feff}".as_bytes()),
        "a UTF-8 byte order mark"
    );
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&response.body[3..]);
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header[0], "Møtedato");
    assert_eq!(header.len(), 12);
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows.len(), 5, "ASU's five points");
    assert_eq!(
        rows[1],
        [
            "19.06.2024",
            "ASU",
            "24/24",
            "Status Handlingsplan",
            "24/24-2",
            "ASU ber sekretariatet; \"vedtakslogg\" <nå>,\nfortløpende.",
            "Oppdrag",
            "Sekretariatet",
            "01.01.2001",
            "Åpen",
            "Ja",
            ""
        ]
    );
    assert_eq!(rows[4][9], "Avbrutt");
    assert_eq!(rows[4][11], "Overtatt av fagråd 5");
    // The Accept header chooses too.
    let by_accept = app
        .as_(Who::Editor)
        .send(
            actix_web::test::TestRequest::get()
                .uri("/api/v1/report?committee=ASU")
                .insert_header(("accept", "text/csv")),
        )
        .await;
    assert_eq!(by_accept.body, response.body);

    // HTML in Norwegian, with the text escaped.
    let page = app.get("/api/v1/report?committee=ASU&format=html").await;
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = String::from_utf8(page.body).unwrap();
    assert!(html.contains("<html lang=\"nb\">") && html.contains("@media print"));
    assert!(html.contains("Vedtakslogg – ASU") && html.contains("Sak 24/24 Status Handlingsplan"));
    assert!(
        html.contains("&quot;vedtakslogg&quot; &lt;nå&gt;"),
        "text is escaped"
    );
    assert!(html.contains("Åpen (forfalt)"));
    assert_eq!(html.matches("<table>").count(), 2);
    app.get("/api/v1/report?format=pdf")
        .await
        .expect_problem(400);
}

/// More points than SQLite takes variables in one statement (32,766): listing, searching,
/// counting, reporting them and listing their deadlines must not bind their ids.
async fn stats_report_and_calendar_count_a_log_of_more_points_than_sql_variables(backend: Backend) {
    const POINTS: i64 = 33_500;
    let app = TestApp::spawn(backend).await;
    let committee = app
        .committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    // Sixty meetings, of 500 or 600 points: the report reads them in runs of meetings and
    // in pages of one meeting.
    const MEETINGS: i64 = 60;
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let date_of = |m: i64| (start + chrono::TimeDelta::days(m)).to_string();
    let mut meetings = Vec::new();
    for m in 0..MEETINGS {
        let meeting = app.meeting("ASU", &date_of(m)).await;
        meetings.push(format!(
            "WHEN {m} THEN '{}'",
            meeting["id"].as_str().unwrap()
        ));
    }
    let june = app.meeting("ASU", "2024-06-19").await;
    let case = app.case(&june, "24/24", "Status Handlingsplan").await;
    let first = app
        .decision(&case, "1", "assignment", &["Sekretariatet"], None)
        .await;
    let owner_id = first["owners"][0]["id"].as_str().unwrap().to_owned();
    // Point n (0 <= n < POINTS) is point n % 100 + 1 of case (n / 100 + 1)/23, whose meeting
    // is one of the sixty in turn; every fifth is done and the rest open, every second has a
    // deadline long past, and every third is Sekretariatet's. Bulk SQL, in three statements,
    // which fill the columns the store keeps of a point's case too.
    let (series, id, case_id, date) = match backend {
        Backend::Sqlite => (
            "WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < {last}) SELECT n FROM s",
            "printf('00000000-0000-4000-8000-%012d', n)",
            "printf('00000000-0000-4000-9000-%012d', n / 100)",
            "'2001-01-01'",
        ),
        Backend::Postgres => (
            "SELECT generate_series(0, {last}) AS n",
            "'00000000-0000-4000-8000-' || lpad(CAST(n AS TEXT), 12, '0')",
            "'00000000-0000-4000-9000-' || lpad(CAST(n / 100 AS TEXT), 12, '0')",
            "CAST('2001-01-01' AS DATE)",
        ),
    };
    let points = series.replace("{last}", &(POINTS - 1).to_string());
    let cases = series.replace("{last}", &((POINTS - 1) / 100 * 100).to_string());
    let sql = format!(
        "INSERT INTO cases (id, committee_id, meeting_id, case_year, case_serial, title, status, \
         created_at, updated_at) \
         SELECT {case_id}, '{committee}', \
         CASE (n / 100) % {MEETINGS} {meetings} END, \
         2023, n / 100 + 1, 'Sak', 'decided', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP \
         FROM ({cases}) AS numbers WHERE n % 100 = 0; \
         INSERT INTO decisions (id, case_id, position, position_sort, text, kind, deadline, \
         status, search_text, created_at, updated_at, version, updated_by, is_public, \
         case_committee, case_year, case_serial) \
         SELECT {id}, {case_id}, CAST(n % 100 + 1 AS TEXT), (n % 100 + 1) * 1000, 'Punkt', \
         'assignment', CASE WHEN n % 2 = 0 THEN {date} ELSE NULL END, \
         CASE WHEN n % 5 = 0 THEN 'done' ELSE 'open' END, 'punkt', \
         CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1, 'test', TRUE, 'ASU', 2023, n / 100 + 1 \
         FROM ({points}) AS numbers; \
         INSERT INTO decision_owners (decision_id, owner_id, responsible, ordinal) \
         SELECT {id}, '{owner_id}', FALSE, 0 FROM ({points}) AS numbers WHERE n % 3 = 0;",
        committee = committee["id"].as_str().unwrap(),
        meetings = meetings.join(" "),
    );
    seed(&app, backend, sql).await;

    // The lists page through them from indexes, counting up to 1,000.
    for query in [
        "status=open&sort=deadline",
        "owner=Sekretariatet&status=open&sort=deadline",
        "overdue=true",
        "q=punkt",
        "q=punkt&sort=deadline",
        "",
    ] {
        let page = app
            .get(&format!("/api/v1/decisions?{query}&limit=200"))
            .await
            .expect(200);
        assert_eq!(page["items"].as_array().unwrap().len(), 200, "{query}");
        assert_eq!(page["total"], 1000, "{query}");
        assert_eq!(page["total_exact"], false, "{query}");
        assert!(page["next_cursor"].is_string(), "{query}");
    }
    let found = app
        .get("/api/v1/decisions?q=punkt&limit=3")
        .await
        .expect(200);
    assert!(
        found["items"][0]["search"]["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("[")),
        "{found}"
    );

    let count = |pred: &dyn Fn(i64) -> bool| (0..POINTS).filter(|n| pred(*n)).count() as i64;
    let stats = app.get("/api/v1/stats").await.expect(200);
    assert_eq!(stats["total"], POINTS + 1);
    assert_eq!(stats["done"], count(&|n| n % 5 == 0));
    assert_eq!(
        stats["open"],
        count(&|n| n % 5 != 0) + 1,
        "and the first point"
    );
    assert_eq!(stats["overdue"], count(&|n| n % 2 == 0 && n % 5 != 0));
    let by_owner = stats["by_owner"].as_array().unwrap();
    assert_eq!(by_owner.len(), 2, "{by_owner:?}");
    assert_eq!(
        by_owner[0]["owner"], "Uten ansvarlig",
        "most open work first"
    );
    assert!(by_owner[0]["owner_id"].is_null());
    assert_eq!(by_owner[0]["total"], count(&|n| n % 3 != 0));
    assert_eq!(by_owner[1]["owner"], "Sekretariatet");
    assert_eq!(by_owner[1]["owner_id"], owner_id);
    assert_eq!(by_owner[1]["total"], count(&|n| n % 3 == 0) + 1);
    assert_eq!(
        by_owner[1]["open"],
        count(&|n| n % 3 == 0 && n % 5 != 0) + 1
    );
    assert_eq!(
        by_owner[1]["overdue"],
        count(&|n| n % 3 == 0 && n % 2 == 0 && n % 5 != 0)
    );
    let by_meeting: Vec<(String, i64)> = stats["by_meeting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["date"].as_str().unwrap().to_owned(),
                m["total"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut expected: Vec<(String, i64)> = (0..MEETINGS)
        .map(|m| (date_of(m), count(&|n| (n / 100) % MEETINGS == m)))
        .collect();
    expected.push(("2024-06-19".to_owned(), 1));
    assert_eq!(by_meeting, expected);

    // The report and the calendar read the log page by page: every point, in order.
    let report = app.get("/api/v1/report?format=csv").await;
    assert_eq!(
        report.status,
        200,
        "{}",
        String::from_utf8_lossy(&report.body)
    );
    let text = String::from_utf8(report.body).unwrap();
    let rows: Vec<Vec<&str>> = text
        .split("\r\n")
        .skip(1)
        .filter(|r| !r.is_empty())
        .map(|r| r.split(';').collect())
        .collect();
    assert_eq!(rows.len() as i64, POINTS + 1, "every point");
    assert_eq!(rows[0][4], "1/23-1");
    assert_eq!(rows[1][4], "1/23-2");
    assert_eq!(rows[100][4], "61/23-1", "the next case of the meeting");
    assert_eq!(rows.last().unwrap()[4], "24/24-1");
    let key = |row: &Vec<&str>| {
        let (number, position) = row[4].split_once('-').unwrap();
        let (serial, year) = number.split_once('/').unwrap();
        let date: Vec<&str> = row[0].split('.').collect();
        (
            (date[2].to_owned(), date[1].to_owned(), date[0].to_owned()),
            year.parse::<i32>().unwrap(),
            serial.parse::<i32>().unwrap(),
            position.parse::<i32>().unwrap(),
        )
    };
    assert!(
        rows.windows(2).all(|w| key(&w[0]) < key(&w[1])),
        "by meeting date, case number and position"
    );
    let calendar = app.get("/api/v1/calendar.ics").await;
    assert_eq!(calendar.status, 200);
    let text = String::from_utf8(calendar.body).unwrap();
    assert_eq!(
        text.matches("BEGIN:VEVENT").count() as i64,
        count(&|n| n % 2 == 0 && n % 5 != 0)
    );
    assert!(text.ends_with("END:VCALENDAR\r\n"));
}

/// The dashboard's tallies as rows of text, and what a count from scratch over the points
/// gives (what migration 000016 filled them with), for one tally table.
fn tally_rows(app: &TestApp, table: &'static str) -> (Vec<String>, Vec<String>) {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        row: String,
    }
    let (key, from) = if table == "meeting_tallies" {
        (
            "meeting_id || '|' || status || '|' || CAST(deadline AS TEXT) || '|' || \
             CASE WHEN is_public THEN 'public' ELSE 'hidden' END || '|' || \
             CASE WHEN owned THEN 'owned' ELSE 'unowned' END",
            "point_tallies",
        )
    } else {
        (
            "owner_id || '|' || meeting_id || '|' || status || '|' || CAST(deadline AS TEXT) \
             || '|' || CASE WHEN is_public THEN 'public' ELSE 'hidden' END",
            "(SELECT decision_owners.owner_id, p.* FROM point_tallies p \
             JOIN decision_owners ON decision_owners.decision_id = p.decision_id) owned",
        )
    };
    app.store
        .run_blocking(move |conn| {
            use diesel::RunQueryDsl;
            let read = |conn: &mut _, sql: String| -> Result<Vec<String>, _> {
                let rows: Vec<Row> = diesel::sql_query(sql).load(conn)?;
                let mut rows: Vec<String> = rows.into_iter().map(|r| r.row).collect();
                rows.sort();
                Ok::<_, vedtakslogg::store::StoreError>(rows)
            };
            let kept = read(
                conn,
                format!(
                    "SELECT {key} || '|' || CAST(points AS TEXT) AS row FROM {table} \
                     WHERE points <> 0"
                ),
            )?;
            let counted = read(
                conn,
                format!(
                    "SELECT {key} || '|' || CAST(count(*) AS TEXT) AS row FROM {from} \
                     GROUP BY meeting_id, status, deadline, is_public{}",
                    if table == "meeting_tallies" {
                        ", owned"
                    } else {
                        ", owner_id"
                    }
                ),
            )?;
            Ok((kept, counted))
        })
        .unwrap()
}

fn assert_tallies_recount(app: &TestApp, after: &str) {
    assert_owner_work_follows(app, after);
    for table in ["meeting_tallies", "owner_tallies"] {
        let (kept, counted) = tally_rows(app, table);
        assert!(!counted.is_empty(), "{table} after {after}");
        assert_eq!(kept, counted, "{table} after {after}");
        assert!(
            kept.iter()
                .all(|row| !row.rsplit('|').next().unwrap_or_default().starts_with('-')),
            "no negative count in {table} after {after}"
        );
    }
}

/// Each owner's row holds the deadline of the point's open work as the list sorts it (none:
/// 9999-12-31), and nothing once the point is done, cancelled or deleted: the owner's index of
/// open work (migration 000017) follows every change, as the tallies do.
fn assert_owner_work_follows(app: &TestApp, after: &str) {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        point: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        kept: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        expected: String,
    }
    let rows: Vec<Row> = app
        .store
        .run_blocking(|conn| {
            use diesel::RunQueryDsl;
            Ok(diesel::sql_query(
                "SELECT o.decision_id || ' ' || o.owner_id AS point, \
                 COALESCE(CAST(o.work_deadline AS TEXT), '-') AS kept, \
                 COALESCE(CAST(CASE WHEN d.status IN ('open', 'in_progress') \
                 AND d.deleted_at IS NULL THEN COALESCE(d.deadline, '9999-12-31') END AS TEXT), \
                 '-') AS expected \
                 FROM decision_owners o JOIN decisions d ON d.id = o.decision_id",
            )
            .load(conn)?)
        })
        .unwrap();
    assert!(!rows.is_empty(), "owners after {after}");
    for row in rows {
        assert_eq!(row.kept, row.expected, "{} after {after}", row.point);
    }
}

/// The tallies that the dashboard counts from are kept by the database as points change. After
/// every kind of change that moves a point between them (its status, deadline, visibility,
/// owners, case, meeting; deleted points and cases), they hold what a count from scratch
/// gives, and the dashboard agrees with the list.
async fn the_kept_tallies_equal_a_count_from_scratch_after_every_kind_of_change(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let points = log(&app).await;
    assert_tallies_recount(&app, "the log was made");
    let uri = |i: usize| format!("/api/v1/decisions/{}", points[i]["id"].as_str().unwrap());

    let changes: Vec<(&str, String, Value)> = vec![
        ("a status", uri(1), json!({"status": "in_progress"})),
        ("a deadline", uri(3), json!({"deadline": "2020-02-02"})),
        ("a point done", uri(3), json!({"status": "done"})),
        ("a deadline taken away", uri(1), json!({"deadline": null})),
        ("a point hidden", uri(4), json!({"public": false})),
        (
            "owners replaced by three",
            uri(0),
            json!({"owners": [{"owner": "AU"}, {"owner": "Kommunene"}, {"owner": "Sekretariatet"}]}),
        ),
        ("every owner taken", uri(2), json!({"owners": []})),
        (
            "an owner given back",
            uri(2),
            json!({"owners": [{"owner": "AU"}]}),
        ),
        ("a point shown", uri(4), json!({"public": true})),
    ];
    for (what, uri, body) in changes {
        app.patch(&uri, &body).await.expect(200);
        assert_tallies_recount(&app, what);
    }

    let case = points[0]["case"]["id"].as_str().unwrap().to_owned();
    let case_uri = format!("/api/v1/cases/{case}");
    app.patch(&case_uri, &json!({"public": false}))
        .await
        .expect(200);
    assert_tallies_recount(&app, "a case hidden");
    let other = app.meeting("ASU", "2024-12-04").await;
    app.patch(&case_uri, &json!({"meeting_id": other["id"]}))
        .await
        .expect(200);
    assert_tallies_recount(&app, "a case moved to another meeting");
    let new_point = app
        .decision(
            &app.get(&case_uri).await.expect(200),
            "9",
            "assignment",
            &["Analysegruppen", "AU"],
            Some("2001-01-01"),
        )
        .await;
    assert_tallies_recount(&app, "a point added");
    let new_uri = format!("/api/v1/decisions/{}", new_point["id"].as_str().unwrap());
    assert_eq!(app.delete(&new_uri).await.status, 204);
    assert_tallies_recount(&app, "a point deleted");
    // The service deletes only cases without points; the database's own rules also follow a
    // case with points deleted and restored by hand.
    let au_case = points[5]["case"]["id"].as_str().unwrap().to_owned();
    for (what, deleted_at) in [
        ("a case with points deleted by hand", "CURRENT_TIMESTAMP"),
        ("a case restored by hand", "NULL"),
    ] {
        let sql = format!("UPDATE cases SET deleted_at = {deleted_at} WHERE id = '{au_case}'");
        app.store
            .run_blocking(move |conn| {
                use diesel::RunQueryDsl;
                diesel::sql_query(sql).execute(conn)?;
                Ok(())
            })
            .unwrap();
        assert_tallies_recount(&app, what);
    }
    for i in [3, 4] {
        assert_eq!(app.delete(&uri(i)).await.status, 204);
    }
    let emptied = points[4]["case"]["id"].as_str().unwrap();
    assert_eq!(
        app.delete(&format!("/api/v1/cases/{emptied}")).await.status,
        204
    );
    assert_tallies_recount(&app, "a case emptied and deleted");

    let (counts, listed, _) = stats_and_list(&app).await;
    assert_eq!(counts, listed, "the dashboard agrees with the list");

    // Counted again from scratch (after a bulk load), the tallies are what was kept.
    let kept = [
        tally_rows(&app, "meeting_tallies").0,
        tally_rows(&app, "owner_tallies").0,
    ];
    app.store
        .run_blocking(vedtakslogg::store::overview::recount_tallies)
        .unwrap();
    app.store
        .run_blocking(vedtakslogg::store::owners::refill_open_work)
        .unwrap();
    assert_owner_work_follows(&app, "a refill");
    let recounted = [
        tally_rows(&app, "meeting_tallies").0,
        tally_rows(&app, "owner_tallies").0,
    ];
    assert_eq!(recounted, kept);
}

/// A search for a word found in most of the log, in deadline order, is a walk of the deadline
/// index on SQLite that tests each point's text: it must list what a rare word's gathered and
/// sorted matches would, page after page, with snippets, and with the other filters.
async fn a_word_in_much_of_the_log_pages_in_deadline_order_as_a_rare_word_does(backend: Backend) {
    const POINTS: i64 = 9_000;
    let app = TestApp::spawn(backend).await;
    let committee = app
        .committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let meeting = app.meeting("ASU", "2024-06-19").await;
    // Point n is point n % 100 + 1 of case n / 100 + 1; two in three are about the
    // municipalities (6,000, more than SQLite gathers), one in three about health (3,000); one
    // in ten has no deadline, one in four is done.
    let (series, id, case_id, deadline) = match backend {
        Backend::Sqlite => (
            "WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < {last}) SELECT n FROM s",
            "printf('00000000-0000-4000-8000-%012d', n)",
            "printf('00000000-0000-4000-9000-%012d', n / 100)",
            "date('2030-01-01', '+' || (n * 7919 % 1000) || ' days')",
        ),
        Backend::Postgres => (
            "SELECT generate_series(0, {last}) AS n",
            "'00000000-0000-4000-8000-' || lpad(CAST(n AS TEXT), 12, '0')",
            "'00000000-0000-4000-9000-' || lpad(CAST(n / 100 AS TEXT), 12, '0')",
            "CAST('2030-01-01' AS DATE) + CAST(n * 7919 % 1000 AS INTEGER)",
        ),
    };
    let points = series.replace("{last}", &(POINTS - 1).to_string());
    let text = "CASE WHEN n % 3 = 0 THEN 'Helse og omsorg' ELSE 'Kommunene melder behov' END";
    let sql = format!(
        "INSERT INTO cases (id, committee_id, meeting_id, case_year, case_serial, title, status, \
         created_at, updated_at) \
         SELECT {case_id}, '{committee}', '{meeting}', 2024, n / 100 + 1, 'Sak', 'decided', \
         CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM ({points}) AS numbers WHERE n % 100 = 0; \
         INSERT INTO decisions (id, case_id, position, position_sort, text, kind, deadline, \
         status, search_text, created_at, updated_at, version, updated_by, is_public, \
         case_committee, case_year, case_serial) \
         SELECT {id}, {case_id}, CAST(n % 100 + 1 AS TEXT), (n % 100 + 1) * 1000, {text}, \
         'assignment', CASE WHEN n % 10 = 0 THEN NULL ELSE {deadline} END, \
         CASE WHEN n % 4 = 0 THEN 'done' ELSE 'open' END, lower({text}), \
         CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1, 'test', TRUE, 'ASU', 2024, n / 100 + 1 \
         FROM ({points}) AS numbers;",
        committee = committee["id"].as_str().unwrap(),
        meeting = meeting["id"].as_str().unwrap(),
    );
    seed(&app, backend, sql).await;

    // The points in deadline order (none last, then by id), as the list must give them.
    let start = chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
    let in_order = |keep: &dyn Fn(i64) -> bool| {
        let mut found: Vec<(chrono::NaiveDate, String)> = (0..POINTS)
            .filter(|n| keep(*n))
            .map(|n| {
                let deadline = if n % 10 == 0 {
                    chrono::NaiveDate::MAX
                } else {
                    start + chrono::TimeDelta::days(n * 7919 % 1000)
                };
                (deadline, format!("00000000-0000-4000-8000-{n:012}"))
            })
            .collect();
        found.sort();
        found.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
    };
    for (query, keep) in [
        (
            "q=kommune&sort=deadline",
            &(|n: i64| n % 3 != 0) as &dyn Fn(i64) -> bool,
        ),
        ("q=kommunene+behov&sort=deadline", &|n| n % 3 != 0),
        ("q=kommune&status=open&sort=deadline", &|n| {
            n % 3 != 0 && n % 4 != 0
        }),
        ("q=helse&sort=deadline", &|n| n % 3 == 0),
    ] {
        let expected = in_order(keep);
        let first = app
            .get(&format!("/api/v1/decisions?{query}&limit=100"))
            .await
            .expect(200);
        assert_eq!(ids_of(&first), expected[..100], "{query}");
        assert_eq!(first["total"], 1000, "{query}");
        assert_eq!(first["total_exact"], false, "{query}");
        let cursor = first["next_cursor"].as_str().expect("more follow");
        let second = app
            .get(&format!(
                "/api/v1/decisions?{query}&limit=100&cursor={cursor}"
            ))
            .await
            .expect(200);
        assert_eq!(ids_of(&second), expected[100..200], "{query}, second page");
        let item = &first["items"][0];
        assert!(
            item["search"]["snippet"]
                .as_str()
                .is_some_and(|s| s.contains('[')),
            "{query}: {item}"
        );
        assert!(
            item["search"]["score"].as_f64().is_some_and(|s| s > 0.0),
            "{item}"
        );
    }
    // Latest deadline first (points without one still last): the index walked backwards.
    let mut latest: Vec<(chrono::NaiveDate, String)> = (0..POINTS)
        .filter(|n| n % 3 != 0 && n % 10 != 0)
        .map(|n| {
            (
                start + chrono::TimeDelta::days(n * 7919 % 1000),
                format!("00000000-0000-4000-8000-{n:012}"),
            )
        })
        .collect();
    latest.sort();
    let latest: Vec<String> = latest.into_iter().rev().take(7).map(|(_, id)| id).collect();
    let last = app
        .get("/api/v1/decisions?q=kommune&sort=-deadline&limit=7")
        .await
        .expect(200);
    assert_eq!(ids_of(&last), latest);
    let none = app
        .get("/api/v1/decisions?q=kommune+fonna&sort=deadline&limit=10")
        .await
        .expect(200);
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
    assert_eq!(none["total"], 0);
}

/// Runs the bulk SQL that seeds a large log, then indexes its points for SQLite's full-text
/// search, which reads a table of its own that the store fills on each write.
async fn seed(app: &TestApp, backend: Backend, sql: String) {
    app.store
        .run(move |conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute(&sql).map_err(Into::into)
        })
        .await
        .expect("the points are seeded");
    if backend == Backend::Sqlite {
        app.store
            .run(|conn| {
                use diesel::connection::SimpleConnection;
                conn.batch_execute(
                    "INSERT INTO decision_search_docs (decision_id, body) \
                     SELECT id, search_text FROM decisions \
                     WHERE id NOT IN (SELECT decision_id FROM decision_search_docs)",
                )
                .map_err(Into::into)
            })
            .await
            .expect("the search index is filled");
    }
}

/// One owner's open work in deadline order is read from the owners' index of open work: page
/// by page it must list what the owner's every point, filtered and sorted, gives, after
/// statuses, deadlines, owners and visibility change.
async fn an_owners_open_work_pages_from_its_own_index_as_every_point_of_theirs_sorted_would(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let meeting = app.meeting("ASU", "2024-06-19").await;
    let case = app.case(&meeting, "24/24", "Status Handlingsplan").await;
    let mut points = Vec::new();
    for i in 0..24_u32 {
        let owners: &[&str] = match i % 3 {
            0 => &["Sekretariatet"],
            1 => &["Sekretariatet", "Kommunene"],
            _ => &["Kommunene"],
        };
        // Some deadlines shared, some missing.
        let deadline = (i % 5 != 0).then(|| format!("2030-0{}-1{}", 1 + i % 4, i % 3));
        points.push(
            app.decision(
                &case,
                &(i + 1).to_string(),
                "assignment",
                owners,
                deadline.as_deref(),
            )
            .await,
        );
    }
    let uri = |i: usize| format!("/api/v1/decisions/{}", points[i]["id"].as_str().unwrap());
    for (i, change) in [
        (0, json!({"status": "done"})),
        (1, json!({"status": "in_progress"})),
        (
            3,
            json!({"status": "cancelled", "status_note": "Trukket av ASU"}),
        ),
        (4, json!({"deadline": "2029-12-31"})),
        (6, json!({"deadline": null})),
        (7, json!({"owners": [{"owner": "Kommunene"}]})),
        (8, json!({"owners": [{"owner": "Sekretariatet"}]})),
        (9, json!({"public": false})),
        (10, json!({"status": "done"})),
        (11, json!({"status": "in_progress"})),
    ] {
        assert_eq!(app.patch(&uri(i), &change).await.status, 200, "{change}");
    }
    assert_eq!(app.delete(&uri(12)).await.status, 204);
    assert_owner_work_follows(&app, "the changes");

    for owner in ["Sekretariatet", "Kommunene"] {
        // Every point of the owner, in deadline order, through the general list.
        let every = app
            .get(&format!(
                "/api/v1/decisions?owner={owner}&sort=deadline&limit=200"
            ))
            .await
            .expect(200);
        let expected: Vec<String> = every["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| matches!(p["status"].as_str(), Some("open" | "in_progress")))
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect();
        assert!(expected.len() > 8, "{owner}: {expected:?}");
        let mut read = Vec::new();
        let mut uri = format!(
            "/api/v1/decisions?owner={owner}&status=open,in_progress&sort=deadline&limit=4"
        );
        loop {
            let page = app.get(&uri).await.expect(200);
            assert_eq!(page["total"], expected.len(), "{owner}");
            read.extend(ids_of(&page));
            match page["next_cursor"].as_str() {
                Some(cursor) => {
                    uri = format!(
                        "/api/v1/decisions?owner={owner}&status=open,in_progress&sort=deadline\
                         &limit=4&cursor={cursor}"
                    );
                }
                None => break,
            }
        }
        assert_eq!(read, expected, "{owner}");
        // With more of the filter: overdue by a date and a deadline range.
        let ranged = app
            .get(&format!(
                "/api/v1/decisions?owner={owner}&status=in_progress,open&sort=deadline\
                 &due_before=2030-02-28&limit=200"
            ))
            .await
            .expect(200);
        let in_range: Vec<String> = every["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| matches!(p["status"].as_str(), Some("open" | "in_progress")))
            .filter(|p| p["deadline"].as_str().is_some_and(|d| d <= "2030-02-28"))
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(ids_of(&ranged), in_range, "{owner}, ranged");
    }
}

/// The ids of a page's points, in its order.
fn ids_of(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}
