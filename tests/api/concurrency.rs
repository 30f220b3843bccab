//! Two users at once: writers never corrupt each other's work, and a collision is a 409.

use futures::future::join_all;
use serde_json::json;
use vedtakslogg::config::Backend;

use crate::helpers::TestApp;

crate::on_both_backends!(
    two_secretaries_recording_the_same_case_number_get_one_case_and_one_conflict,
    many_points_recorded_at_once_are_all_kept,
    two_people_registering_the_same_owner_get_one_owner,
    two_changes_to_one_point_at_once_are_both_kept,
);

async fn two_changes_to_one_point_at_once_are_both_kept(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let meeting = app.meeting("ASU", "2024-06-19").await;
    let case = app.case(&meeting, "24/24", "Status Handlingsplan").await;
    let point = app
        .decision(&case, "2", "assignment", &["Sekretariatet"], None)
        .await;
    let uri = format!("/api/v1/decisions/{}", point["id"].as_str().unwrap());
    for round in 1..=10 {
        let deadline = format!("2024-09-{round:02}");
        let note = format!("Runde {round}");
        let status = if round % 2 == 0 {
            "open"
        } else {
            "in_progress"
        };
        let (a, b, c) = futures::join!(
            app.patch(&uri, &json!({"deadline": deadline})),
            app.patch(&uri, &json!({"status_note": note})),
            app.patch(&uri, &json!({"status": status, "owners": [{"owner": "AU"}, {"owner": "Sekretariatet", "responsible": true}]})),
        );
        for response in [a, b, c] {
            response.expect(200);
        }
        let after = app.get(&uri).await.expect(200);
        assert_eq!(after["deadline"], deadline.as_str(), "round {round}");
        assert_eq!(after["status_note"], note.as_str(), "round {round}");
        assert_eq!(after["status"], status, "round {round}");
        assert_eq!(
            after["owners"].as_array().unwrap().len(),
            2,
            "round {round}"
        );
    }
}

async fn two_secretaries_recording_the_same_case_number_get_one_case_and_one_conflict(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let meeting = app.meeting("ASU", "2024-06-19").await;
    for round in 1..=5 {
        let requests = ["{round}/24", "0{round}/24"].map(|pattern| {
            let number = pattern.replace("{round}", &round.to_string());
            app.post(
                "/api/v1/cases",
                &json!({"meeting_id": meeting["id"], "number": number, "title": "Samtidig"}),
            )
        });
        let mut statuses: Vec<u16> = join_all(requests)
            .await
            .iter()
            .map(|r| r.status.as_u16())
            .collect();
        statuses.sort();
        assert_eq!(statuses, [201, 409], "round {round}");
    }
    assert_eq!(app.get("/api/v1/cases").await.expect(200)["total"], 5);
}

async fn many_points_recorded_at_once_are_all_kept(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let meeting = app.meeting("ASU", "2024-06-19").await;
    let case = app.case(&meeting, "24/24", "Status Handlingsplan").await;
    let requests = (1..=20).map(|position| {
        app.post(
            "/api/v1/decisions",
            &json!({"case_id": case["id"], "position": position.to_string(), "text": format!("Punkt {position}"),
                    "kind": "assignment", "owners": [{"owner": "Sekretariatet"}, {"owner": "AU"}]}),
        )
    });
    let responses = join_all(requests).await;
    for response in &responses {
        response.expect(201);
    }
    let list = app
        .get("/api/v1/decisions?limit=200&owner=AU")
        .await
        .expect(200);
    assert_eq!(list["total"], 20);
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["owners"].as_array().unwrap().len() == 2)
    );
}

async fn two_people_registering_the_same_owner_get_one_owner(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let before = app
        .get("/api/v1/owners")
        .await
        .expect(200)
        .as_array()
        .unwrap()
        .len();
    let requests = ["Kvalitetsgruppen", "kvalitetsgruppen"]
        .map(|name| app.post("/api/v1/owners", &json!({"name": name, "kind": "body"})));
    let mut statuses: Vec<u16> = join_all(requests)
        .await
        .iter()
        .map(|r| r.status.as_u16())
        .collect();
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
    assert_eq!(
        app.get("/api/v1/owners")
            .await
            .expect(200)
            .as_array()
            .unwrap()
            .len(),
        before + 1
    );
}
