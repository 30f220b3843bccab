//! Follow-up links between cases, including links to cases not recorded yet.

use serde_json::{Value, json};
use vedtakslogg::config::Backend;

use crate::helpers::TestApp;

crate::on_both_backends!(
    a_link_to_an_unrecorded_case_resolves_when_it_is_recorded,
    links_are_checked_and_can_be_removed,
);

fn id(value: &Value) -> &str {
    value["id"].as_str().unwrap()
}

async fn a_link_to_an_unrecorded_case_resolves_when_it_is_recorded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let october = app.meeting("ASU", "2023-10-04").await;
    let case_37 = app
        .case(&october, "37/23", "Oppfølging av vedtak 31/23")
        .await;
    let link = app
        .post(
            &format!("/api/v1/cases/{}/links", id(&case_37)),
            &json!({"kind": "follows_up", "target": "31/23", "target_position": "5", "note": "vedtak 31/23 (06.09.23)"}),
        )
        .await;
    assert!(
        link.header("location")
            .is_some_and(|l| l.starts_with("/api/v1/links/"))
    );
    let link = link.expect(201);
    assert_eq!(link["source"]["number"], "37/23");
    assert_eq!(
        link["target"],
        json!({"committee": "ASU", "number": "31/23", "position": "5", "case_id": null})
    );

    // 31/23 is recorded later: the link now points at it, and it sees the link coming in.
    let september = app.meeting("ASU", "2023-09-06").await;
    let case_31 = app
        .case(
            &september,
            "31/23",
            "Samhandling om utskrivningsklare pasienter",
        )
        .await;
    let resolved = app
        .get(&format!("/api/v1/links/{}", id(&link)))
        .await
        .expect(200);
    assert_eq!(resolved["target"]["case_id"], case_31["id"]);
    let detail = app
        .get("/api/v1/committees/ASU/cases/31-23")
        .await
        .expect(200);
    assert_eq!(detail["links"]["incoming"][0]["id"], link["id"]);
    assert_eq!(detail["links"]["outgoing"], json!([]));
    let links = app
        .get(&format!("/api/v1/cases/{}/links", id(&case_37)))
        .await
        .expect(200);
    assert_eq!(links["outgoing"][0]["target"]["case_id"], case_31["id"]);

    // Renumbered, 31/23 no longer answers to the link; deleted, the link names it by number.
    app.patch(
        &format!("/api/v1/cases/{}", id(&case_31)),
        &json!({"number": "32/23"}),
    )
    .await
    .expect(200);
    assert_eq!(
        app.get(&format!("/api/v1/links/{}", id(&link)))
            .await
            .expect(200)["target"]["case_id"],
        Value::Null
    );
    app.patch(
        &format!("/api/v1/cases/{}", id(&case_31)),
        &json!({"number": "31/23"}),
    )
    .await
    .expect(200);
    assert_eq!(
        app.get(&format!("/api/v1/links/{}", id(&link)))
            .await
            .expect(200)["target"]["case_id"],
        case_31["id"]
    );
    assert_eq!(
        app.delete(&format!("/api/v1/cases/{}", id(&case_31)))
            .await
            .status,
        204
    );
    let after = app
        .get(&format!("/api/v1/links/{}", id(&link)))
        .await
        .expect(200);
    assert_eq!(after["target"]["case_id"], Value::Null);
    assert_eq!(after["target"]["number"], "31/23");
}

async fn links_are_checked_and_can_be_removed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    app.committee("AU", "Arbeidsutvalget").await;
    let june = app.meeting("ASU", "2024-06-19").await;
    let case_20 = app.case(&june, "20/24", "Oppfølging sak 3/24").await;
    let uri = format!("/api/v1/cases/{}/links", id(&case_20));
    let detail = app
        .post(&uri, &json!({"kind": "follows_up", "target": "20/24"}))
        .await
        .expect_problem(422);
    assert!(detail.contains("cannot link to itself"), "{detail}");
    let link = app
        .post(&uri, &json!({"kind": "follows_up", "target": "03/24"}))
        .await
        .expect(201);
    let detail = app
        .post(&uri, &json!({"kind": "follows_up", "target": "3/24"}))
        .await
        .expect_problem(409);
    assert!(
        detail.contains("already has a follows_up link to ASU 3/24"),
        "{detail}"
    );
    // Another kind, another point, or another committee's 3/24 is another link.
    app.post(&uri, &json!({"kind": "refers_to", "target": "3/24"}))
        .await
        .expect(201);
    app.post(
        &uri,
        &json!({"kind": "follows_up", "target": "3/24", "target_position": "2"}),
    )
    .await
    .expect(201);
    app.post(
        &uri,
        &json!({"kind": "follows_up", "target": "3/24", "target_committee": "au"}),
    )
    .await
    .expect(201);
    app.post(
        &uri,
        &json!({"kind": "follows_up", "target": "3/24", "target_committee": "XYZ"}),
    )
    .await
    .expect_problem(422);
    app.post(&uri, &json!({"kind": "continues", "target": "3/24"}))
        .await
        .expect_problem(422);
    app.post(&uri, &json!({"kind": "follows_up", "target": "sak 3/24"}))
        .await
        .expect_problem(422);
    assert_eq!(
        app.get(&uri).await.expect(200)["outgoing"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    let link_uri = format!("/api/v1/links/{}", id(&link));
    assert_eq!(app.delete(&link_uri).await.status, 204);
    app.get(&link_uri).await.expect_problem(410);
    assert_eq!(
        app.get(&uri).await.expect(200)["outgoing"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    app.get("/api/v1/cases/7b3c3bd5-5e8e-4a58-9a64-1a0b8f9c2d11/links")
        .await
        .expect_problem(404);
}
