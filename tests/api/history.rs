//! Versions, If-Match, status rules and the append-only history.

use diesel::connection::SimpleConnection;
use serde_json::{Value, json};
use vedtakslogg::config::Backend;

use crate::helpers::{TestApp, Who};

crate::on_both_backends!(
    changes_need_the_current_etag,
    the_history_records_who_changed_what_and_why,
    status_changes_follow_the_rules,
    a_deleted_point_leaves_a_tombstone_and_keeps_its_history,
    the_history_of_a_case_includes_its_links,
    nothing_can_change_the_history,
);

async fn point(app: &TestApp) -> (String, Value) {
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let june = app.meeting("ASU", "2024-06-19").await;
    let case = app.case(&june, "24/24", "Status Handlingsplan").await;
    let point = app
        .decision(
            &case,
            "2",
            "assignment",
            &["Sekretariatet"],
            Some("2024-08-30"),
        )
        .await;
    (
        format!("/api/v1/decisions/{}", point["id"].as_str().unwrap()),
        point,
    )
}

async fn changes_need_the_current_etag(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (uri, point) = point(&app).await;
    assert_eq!(point["version"], 1);
    let read = app.get(&uri).await;
    assert!(
        read.header("etag").is_some_and(|t| t.starts_with("\"1.")),
        "{:?}",
        read.header("etag")
    );
    let editor = app.as_(Who::Editor);
    let detail = editor
        .patch_unconditionally(&uri, &json!({"status": "done"}))
        .await
        .expect_problem(428);
    assert!(detail.contains("If-Match"), "{detail}");
    editor
        .patch_if(&uri, "*", &json!({"status": "done"}))
        .await
        .expect_problem(428);
    editor
        .patch_if(&uri, "1", &json!({"status": "done"}))
        .await
        .expect_problem(400);
    let changed = editor
        .patch_if(&uri, "\"1\"", &json!({"status": "in_progress"}))
        .await;
    assert_eq!(changed.header("etag"), Some("\"2\""));
    assert_eq!(changed.expect(200)["updated_by"], "Sekretariatet");
    let stale = editor
        .patch_if(&uri, "\"1\"", &json!({"status": "done"}))
        .await;
    let body = stale.expect(412);
    assert_eq!(body["current_version"], 2);
    assert_eq!(
        app.get(&uri).await.expect(200)["status"],
        "in_progress",
        "the stale change was not made"
    );
    editor
        .patch_if(&uri, "W/\"2\"", &json!({"status": "done"}))
        .await
        .expect(200);
    // The same holds for cases and meetings.
    let case_uri = format!("/api/v1/cases/{}", point["case"]["id"].as_str().unwrap());
    editor
        .patch_unconditionally(&case_uri, &json!({"status": "decided"}))
        .await
        .expect_problem(428);
    editor
        .patch_if(&case_uri, "\"7\"", &json!({"status": "decided"}))
        .await
        .expect(412);
    let meeting_uri = format!(
        "/api/v1/meetings/{}",
        point["case"]["meeting_id"].as_str().unwrap()
    );
    editor
        .patch_unconditionally(&meeting_uri, &json!({"status": "held"}))
        .await
        .expect_problem(428);
    assert_eq!(
        app.patch(&meeting_uri, &json!({"status": "held"}))
            .await
            .expect(200)["version"],
        2
    );
    // A stale delete is refused too.
    let delete = editor.send(
        actix_web::test::TestRequest::delete()
            .uri(&uri)
            .insert_header(("if-match", "\"1\"")),
    );
    assert_eq!(delete.await.expect(412)["current_version"], 3);
}

async fn the_history_records_who_changed_what_and_why(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (uri, point) = point(&app).await;
    let august = app.meeting("ASU", "2024-08-30").await;
    app.case(&august, "20/24", "Oppfølging sak 3/24").await;
    app.patch(
        &uri,
        &json!({"status": "in_progress", "status_note": "Første utkast lages"}),
    )
    .await
    .expect(200);
    app.patch(&uri, &json!({"text": "ASU ber sekretariatet utarbeide en vedtakslogg.", "comment": "Rettet skrivefeil"}))
        .await
        .expect(200);
    let done = app
        .patch(
            &uri,
            &json!({"status": "done", "status_note": "Tatt i bruk", "evidence": {"case": "20/24"}}),
        )
        .await
        .expect(200);
    assert_eq!(done["status_evidence"]["case"], "20/24");
    assert_eq!(done["status_evidence"]["committee"], "ASU");
    let history = app.get(&format!("{uri}/history")).await.expect(200);
    let entries = history.as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["created", "updated", "updated", "updated"]);
    let versions: Vec<i64> = entries
        .iter()
        .map(|e| e["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [1, 2, 3, 4]);
    assert!(entries.iter().all(|e| e["actor"] == "Sekretariatet"));
    assert!(
        entries
            .windows(2)
            .all(|w| w[0]["seq"].as_i64() < w[1]["seq"].as_i64()),
        "oldest first"
    );
    assert_eq!(
        entries[0]["changes"]["status"],
        json!({"from": null, "to": "open"})
    );
    assert_eq!(
        entries[0]["changes"]["deadline"],
        json!({"from": null, "to": "2024-08-30"})
    );
    assert_eq!(
        Value::Object(entries[1]["changes"].as_object().unwrap().clone()),
        json!({"status": {"from": "open", "to": "in_progress"}, "status_note": {"from": null, "to": "Første utkast lages"}})
    );
    assert_eq!(entries[1]["note"], "Første utkast lages");
    assert_eq!(entries[2]["note"], "Rettet skrivefeil");
    assert_eq!(entries[2]["changes"]["text"]["from"], point["text"]);
    assert_eq!(
        entries[3]["changes"]["status"],
        json!({"from": "in_progress", "to": "done"})
    );
    assert_eq!(entries[3]["evidence"]["case"], "20/24");
    // Another status change without evidence clears it from the point, not from the history.
    let reopened = app
        .patch(
            &uri,
            &json!({"status": "in_progress", "status_note": "Ny runde"}),
        )
        .await
        .expect(200);
    assert_eq!(reopened["status_evidence"], Value::Null);
    let history = app.get(&format!("{uri}/history")).await.expect(200);
    assert_eq!(history[3]["evidence"]["case"], "20/24");
}

async fn status_changes_follow_the_rules(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (uri, _) = point(&app).await;
    let detail = app
        .patch(&uri, &json!({"status": "cancelled"}))
        .await
        .expect_problem(422);
    assert!(
        detail.contains("cancelling a point needs a status_note"),
        "{detail}"
    );
    app.patch(&uri, &json!({"status": "done"}))
        .await
        .expect(200);
    let detail = app
        .patch(&uri, &json!({"status": "open"}))
        .await
        .expect_problem(422);
    assert!(
        detail.contains("reopening a point that is done needs a status_note"),
        "{detail}"
    );
    app.patch(
        &uri,
        &json!({"status": "open", "status_note": "Ikke ferdig likevel"}),
    )
    .await
    .expect(200);
    let detail = app
        .patch(
            &uri,
            &json!({"status": "done", "evidence": {"case": "99/24"}}),
        )
        .await
        .expect_problem(422);
    assert!(
        detail.contains("evidence.case: ASU has no case 99/24"),
        "{detail}"
    );
    let detail = app
        .patch(
            &uri,
            &json!({"status": "done", "evidence": {"case": "20/24", "meeting_date": "2024-06-19"}}),
        )
        .await
        .expect_problem(422);
    assert!(
        detail.contains("either a case or a meeting_date"),
        "{detail}"
    );
    let done = app
        .patch(
            &uri,
            &json!({"status": "done", "evidence": {"meeting_date": "2024-06-19"}}),
        )
        .await
        .expect(200);
    assert_eq!(done["status_evidence"]["meeting_date"], "2024-06-19");
    assert_eq!(
        app.get(&uri).await.expect(200)["version"],
        4,
        "refused changes made no versions"
    );
}

async fn a_deleted_point_leaves_a_tombstone_and_keeps_its_history(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (uri, point) = point(&app).await;
    assert_eq!(app.delete(&uri).await.status, 204);
    app.get(&uri).await.expect_problem(410);
    app.patch(&uri, &json!({"status": "done"}))
        .await
        .expect_problem(410);
    let list = app.get("/api/v1/decisions").await.expect(200);
    assert_eq!(list["total"], 0);
    let history = app.get(&format!("{uri}/history")).await.expect(200);
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["action"].as_str(), last["version"].as_i64()),
        (Some("deleted"), Some(2))
    );
    // The position is free again, and the case can be deleted now.
    let again = app
        .decision(&point["case"], "2", "assignment", &["AU"], None)
        .await;
    assert_ne!(again["id"], point["id"]);
}

async fn the_history_of_a_case_includes_its_links(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let october = app.meeting("ASU", "2023-10-04").await;
    let case = app
        .case(&october, "37/23", "Oppfølging av vedtak 31/23")
        .await;
    let case_uri = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
    let link = app
        .post(
            &format!("{case_uri}/links"),
            &json!({"kind": "follows_up", "target": "31/23"}),
        )
        .await
        .expect(201);
    assert_eq!(link["created_by"], "Sekretariatet");
    app.delete(&format!("/api/v1/links/{}", link["id"].as_str().unwrap()))
        .await;
    app.patch(
        &case_uri,
        &json!({"title": "Operasjonalisering av vedtak 31/23"}),
    )
    .await
    .expect(200);
    let history = app.get(&format!("{case_uri}/history")).await.expect(200);
    let summary: Vec<(String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["entity"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("case", "created"),
        ("link", "created"),
        ("link", "deleted"),
        ("case", "updated"),
    ];
    assert_eq!(summary, expected.map(|(a, b)| (a.to_owned(), b.to_owned())));
    assert_eq!(history[1]["changes"]["target"]["to"]["number"], "31/23");
}

async fn nothing_can_change_the_history(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (uri, _) = point(&app).await;
    let before = app.get(&format!("{uri}/history")).await.expect(200);
    for statement in [
        "UPDATE history SET actor = 'someone else'",
        "DELETE FROM history",
    ] {
        let result = app
            .store
            .run(move |conn| Ok(conn.batch_execute(statement)))
            .await
            .unwrap();
        let error = result.expect_err("the database refuses to change history");
        assert!(error.to_string().contains("append-only"), "{error}");
    }
    assert_eq!(app.get(&format!("{uri}/history")).await.expect(200), before);
    // No route edits or removes history: it is only read.
    let refused = app.delete(&format!("{uri}/history")).await;
    refused.expect_problem(405);
    assert_eq!(refused.header("allow"), Some("GET"));
}
