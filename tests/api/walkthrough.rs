//! The README's walk-through: ASU's meeting of 19.06.24, case 24/24 and its three points.

use serde_json::json;
use vedtakslogg::config::Backend;

use crate::helpers::TestApp;

crate::on_both_backends!(recording_case_24_24_and_following_up_point_2);

async fn recording_case_24_24_and_following_up_point_2(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let meeting = app
        .post(
            "/api/v1/meetings",
            &json!({
                "committee": "ASU", "date": "2024-06-19", "start_time": "13:00", "end_time": "17:00",
                "location": "1930 M11", "chair": "Ingjerd Astad", "minute_taker": "Karina Haus Steinshylla",
                "status": "held"
            }),
        )
        .await
        .expect(201);
    assert_eq!(meeting["date"], "2024-06-19");
    let case = app
        .post(
            "/api/v1/cases",
            &json!({
                "committee": "ASU", "meeting_date": "2024-06-19", "number": "24/24", "status": "decided",
                "title": "Status Handlingsplan 2022 -2024 i helsefelleskapet - saker til oppfølging",
                "responsible": ["Ingjerd Astad", "Merete Blokkum"]
            }),
        )
        .await
        .expect(201);
    let points = [
        json!({"position": "1", "kind": "orientation",
               "text": "ASU tar status handlingsplan 2022 – 2024 til orientering."}),
        json!({"position": "2", "kind": "assignment", "owners": [{"owner": "Sekretariatet", "responsible": true}],
               "text": "ASU tar saker til oppfølging til orientering, og ber sekretariatet utarbeide en vedtakslogg som benyttes i det videre arbeidet i helsefelleskapet, som holdes oppdatert fortløpende og kan fremlegges ved ønske/behov."}),
        json!({"position": "3", "kind": "recommendation",
               "text": "ASU anbefaler utarbeidelse av ny handlingsplan. Dette må ses i sammenheng med arbeidet med revidert samarbeidsavtale."}),
    ];
    let mut created = Vec::new();
    // The README names the case by committee and number, as the documents do.
    for mut point in points {
        point["committee"] = json!("ASU");
        point["case_number"] = json!("24/24");
        created.push(app.post("/api/v1/decisions", &point).await.expect(201));
    }
    assert_eq!(
        created[0]["status"], "done",
        "an orientation point is closed when adopted"
    );
    assert_eq!(created[0]["needs_follow_up"], false);
    assert_eq!(created[1]["status"], "open");

    let point_2 = &created[1];
    let updated = app
        .patch(
            &format!("/api/v1/decisions/{}", point_2["id"].as_str().unwrap()),
            &json!({"status": "in_progress"}),
        )
        .await
        .expect(200);
    assert_eq!(updated["status"], "in_progress");

    let list = app
        .get("/api/v1/decisions?status=open,in_progress&owner=sekretariatet")
        .await
        .expect(200);
    assert_eq!(list["total"], 1);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], point_2["id"]);
    assert_eq!(items[0]["position"], "2");
    assert_eq!(items[0]["case"]["number"], "24/24");
    assert_eq!(items[0]["case"]["committee"], "ASU");
    assert_eq!(items[0]["case"]["meeting_date"], "2024-06-19");
    assert_eq!(
        items[0]["owners"],
        json!([{"id": items[0]["owners"][0]["id"], "name": "Sekretariatet", "responsible": true}])
    );

    // The open work of the case is point 3 and point 2; the orientation point never is.
    let open = app
        .get(&format!(
            "/api/v1/decisions?status=open,in_progress&case={}",
            case["id"].as_str().unwrap()
        ))
        .await;
    let positions: Vec<String> = open.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["position"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(positions, ["2", "3"]);

    // The case by committee and number carries its points in order.
    let detail = app
        .get("/api/v1/committees/asu/cases/24-24")
        .await
        .expect(200);
    assert_eq!(detail["id"], case["id"]);
    assert_eq!(detail["decision_count"], 3);
    let positions: Vec<&str> = detail["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["position"].as_str().unwrap())
        .collect();
    assert_eq!(positions, ["1", "2", "3"]);
}
