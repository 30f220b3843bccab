//! The case page `/saker/{id}`: points, links, proposed links and the chain of the matter.

use serde_json::{Value, json};
use vedtakslogg::api::auth::AccessSettings;
use vedtakslogg::config::Backend;
use vedtakslogg::domain::Role;

use super::{Browser, PASSWORD, account, hide, id};
use crate::helpers::TestApp;
use crate::on_both_backends;

/// 15/24 (10.04.24) postponed to 19/24 (19.06.24), which has a point; 20/24 "Oppfølging
/// sak 15/24" at the same meeting, from whose title a link to 15/24 is proposed.
struct Matter {
    case_15: Value,
    case_19: Value,
    case_20: Value,
    point: Value,
}

async fn matter(app: &TestApp) -> Matter {
    app.committee("ASU", "Administrativt samarbeidsutvalg")
        .await;
    let april = app.meeting("ASU", "2024-04-10").await;
    let june = app.meeting("ASU", "2024-06-19").await;
    let case_15 = app.case(&april, "15/24", "Dagens vedtakslogg").await;
    let case_19 = app.case(&june, "19/24", "Vedtakslogg for ASU").await;
    app.post(
        &format!("/api/v1/cases/{}/links", id(&case_15)),
        &json!({"kind": "postponed_to", "target": "19/24", "note": "Saken utsettes til ASU-møte 19.06.24"}),
    )
    .await
    .expect(201);
    let point = app
        .decision(
            &case_19,
            "2",
            "assignment",
            &["Sekretariatet"],
            Some("2030-08-30"),
        )
        .await;
    let case_20 = app.case(&june, "20/24", "Oppfølging sak 15/24").await;
    Matter {
        case_15,
        case_19,
        case_20,
        point,
    }
}

/// The proposals of a case still waiting, as the API lists them.
async fn waiting(app: &TestApp, case: &Value) -> Vec<Value> {
    app.get(&format!(
        "/api/v1/proposals?case={}&status=proposed",
        id(case)
    ))
    .await
    .expect(200)
    .as_array()
    .unwrap()
    .clone()
}

async fn the_case_page_shows_points_links_and_the_chain_across_meetings(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let m = matter(&app).await;
    account(&app, "kari@kommune.no", "Kari Nordmann", Role::Editor).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("kari@kommune.no", PASSWORD).await;

    let page = browser.get(&format!("/saker/{}", id(&m.case_19))).await;
    assert_eq!(page.status(), 200, "{}", page.text());
    let text = page.text();
    assert!(text.contains("Sak ASU 19/24 Vedtakslogg for ASU"), "{text}");
    assert!(
        text.contains(&format!("/vedtakspunkter/{}", id(&m.point))),
        "the points link to their pages"
    );
    assert!(text.contains("30.08.2030"), "dates the Norwegian way");
    assert!(
        text.contains(&format!(
            "Utsatt fra <a class=\"ds-link\" href=\"/saker/{}\">ASU 15/24</a>",
            id(&m.case_15)
        )),
        "the incoming link, to the case it came from: {text}"
    );
    assert!(text.contains("Sakens forløp"));
    let timeline = &text[text.find("vl-timeline").unwrap()..];
    let (at_15, at_19) = (
        timeline.find("Sak 15/24").unwrap(),
        timeline.find("Sak 19/24").unwrap(),
    );
    assert!(at_15 < at_19, "the chain runs by meeting date");
    assert!(timeline.contains("10.04.2024") && timeline.contains("19.06.2024"));
    assert!(timeline.contains("(denne saken)"));

    let from = browser.get(&format!("/saker/{}", id(&m.case_15))).await;
    assert!(
        from.text().contains(&format!(
            "Utsatt til <a class=\"ds-link\" href=\"/saker/{}\">ASU 19/24</a>",
            id(&m.case_19)
        )),
        "{}",
        from.text()
    );

    let point = browser
        .get(&format!("/vedtakspunkter/{}", id(&m.point)))
        .await;
    assert!(
        point
            .text()
            .contains(&format!("href=\"/saker/{}\"", id(&m.case_19))),
        "the point page links to its case"
    );
    let list = browser.get("/vedtakspunkter").await;
    assert!(
        list.text()
            .contains(&format!("href=\"/saker/{}\"", id(&m.case_19))),
        "the list links to the cases"
    );
}

async fn an_editor_accepts_a_proposal_and_a_second_editor_is_told_it_was_taken(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let m = matter(&app).await;
    let proposals = waiting(&app, &m.case_20).await;
    assert_eq!(proposals.len(), 1, "{proposals:?}");
    let proposal = id(&proposals[0]).to_owned();
    account(&app, "kari@kommune.no", "Kari Nordmann", Role::Editor).await;
    account(&app, "ola@kommune.no", "Ola Nordmann", Role::Editor).await;
    let (mut kari, mut ola) = (Browser::new(&app), Browser::new(&app));
    kari.sign_in("kari@kommune.no", PASSWORD).await;
    ola.sign_in("ola@kommune.no", PASSWORD).await;
    let uri = format!("/saker/{}", id(&m.case_20));
    let kari_page = kari.get(&uri).await;
    let ola_page = ola.get(&uri).await;
    assert!(kari_page.text().contains("Foreslåtte koblinger"));
    assert!(kari_page.text().contains("sak 15/24»"));
    let action = format!("{uri}/forslag/{proposal}");
    assert!(
        kari_page.text().contains(&action),
        "an answer form per proposal"
    );

    let accepted = kari
        .post(&action, &[("csrf", &kari_page.csrf()), ("valg", "godta")])
        .await;
    assert_eq!(accepted.status(), 303, "{}", accepted.text());
    assert_eq!(accepted.location(), format!("{uri}?forslag=godtatt"));
    let after = kari.get(accepted.location()).await.text();
    assert!(after.contains("Forslaget er godtatt"));
    assert!(
        after.contains(&format!(
            "Følger opp <a class=\"ds-link\" href=\"/saker/{}\">ASU 15/24</a>",
            id(&m.case_15)
        )),
        "{after}"
    );
    assert!(after.contains("Ingen forslag venter"));

    // Ola answers the proposal his page still shows: nothing changes, and he is told.
    let late = ola
        .post(&action, &[("csrf", &ola_page.csrf()), ("valg", "avvis")])
        .await;
    assert_eq!(late.status(), 409, "{}", late.text());
    assert!(
        late.text()
            .contains("Kari Nordmann har allerede godtatt forslaget"),
        "{}",
        late.text()
    );
    let links = app
        .get(&format!("/api/v1/cases/{}/links", id(&m.case_20)))
        .await
        .expect(200);
    let outgoing = links["outgoing"].as_array().unwrap();
    assert_eq!(outgoing.len(), 1, "one link, made once: {links}");
    assert_eq!(outgoing[0]["created_by"], "Kari Nordmann");
    let all = app
        .get(&format!("/api/v1/proposals?case={}", id(&m.case_20)))
        .await
        .expect(200);
    assert_eq!(all[0]["status"], "accepted");
    assert_eq!(all[0]["decided_by"], "Kari Nordmann");
}

async fn an_editor_rejects_a_proposal_and_it_is_not_proposed_again(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let m = matter(&app).await;
    let proposal = id(&waiting(&app, &m.case_20).await[0]).to_owned();
    account(&app, "kari@kommune.no", "Kari Nordmann", Role::Editor).await;
    let mut kari = Browser::new(&app);
    kari.sign_in("kari@kommune.no", PASSWORD).await;
    let uri = format!("/saker/{}", id(&m.case_20));
    let page = kari.get(&uri).await;
    let rejected = kari
        .post(
            &format!("{uri}/forslag/{proposal}"),
            &[("csrf", &page.csrf()), ("valg", "avvis")],
        )
        .await;
    assert_eq!(rejected.status(), 303, "{}", rejected.text());
    let after = kari.get(rejected.location()).await.text();
    assert!(after.contains("Forslaget er avvist"));
    assert!(after.contains("Saken er ikke koblet til andre saker"));
    assert!(waiting(&app, &m.case_20).await.is_empty());
}

async fn bad_answers_to_a_proposal_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let m = matter(&app).await;
    let proposal = id(&waiting(&app, &m.case_20).await[0]).to_owned();
    account(&app, "kari@kommune.no", "Kari Nordmann", Role::Editor).await;
    account(&app, "au@kommune.no", "Anne Arbeidsutvalg", Role::Reader).await;
    let mut kari = Browser::new(&app);
    kari.sign_in("kari@kommune.no", PASSWORD).await;
    let uri = format!("/saker/{}", id(&m.case_20));
    let csrf = kari.get(&uri).await.csrf();
    let action = format!("{uri}/forslag/{proposal}");

    let no_csrf = kari.post(&action, &[("valg", "godta")]).await;
    assert_eq!(no_csrf.status(), 403);
    assert!(
        no_csrf.text().contains("sikkerhetskode"),
        "{}",
        no_csrf.text()
    );

    let no_choice = kari
        .post(&action, &[("csrf", &csrf), ("valg", "kanskje")])
        .await;
    assert_eq!(no_choice.status(), 400);
    assert!(no_choice.text().contains("godtas eller avvises"));

    // The address names the case too: a proposal of another case is not found under it.
    let elsewhere = kari
        .post(
            &format!("/saker/{}/forslag/{proposal}", id(&m.case_19)),
            &[("csrf", &csrf), ("valg", "godta")],
        )
        .await;
    assert_eq!(elsewhere.status(), 404);
    let unknown = kari
        .post(
            &format!("{uri}/forslag/not-a-proposal"),
            &[("csrf", &csrf), ("valg", "godta")],
        )
        .await;
    assert_eq!(unknown.status(), 404);
    assert!(unknown.text().contains("Siden finnes ikke"));

    let mut reader = Browser::new(&app);
    reader.sign_in("au@kommune.no", PASSWORD).await;
    let seen = reader.get(&uri).await;
    assert_eq!(seen.status(), 200);
    assert!(
        seen.text().contains("sak 15/24»"),
        "a reader sees what waits"
    );
    assert!(
        !seen.text().contains(&action),
        "but has no controls to answer it"
    );
    let forged = reader
        .post(&action, &[("csrf", &seen.csrf()), ("valg", "godta")])
        .await;
    assert_eq!(forged.status(), 403);
    assert!(forged.text().contains("Du har ikke tilgang"));

    assert_eq!(
        waiting(&app, &m.case_20).await.len(),
        1,
        "the proposal still waits"
    );
    let links = app
        .get(&format!("/api/v1/cases/{}/links", id(&m.case_20)))
        .await
        .expect(200);
    assert_eq!(links["outgoing"], json!([]));
}

async fn unknown_hidden_and_deleted_cases_get_their_pages(backend: Backend) {
    let app = TestApp::spawn_with(backend, AccessSettings { public_read: true }).await;
    let m = matter(&app).await;
    let mut anonymous = Browser::new(&app);

    let public = anonymous.get(&format!("/saker/{}", id(&m.case_20))).await;
    assert_eq!(public.status(), 200, "public reading shows a public case");
    assert!(
        !public.text().contains("Foreslåtte koblinger"),
        "proposals quote text that may not be public: only for those signed in"
    );

    hide(&app, &format!("/api/v1/cases/{}", id(&m.case_19))).await;
    let hidden = anonymous.get(&format!("/saker/{}", id(&m.case_19))).await;
    assert_eq!(hidden.status(), 404);
    let chain = anonymous
        .get(&format!("/saker/{}", id(&m.case_15)))
        .await
        .text();
    assert!(
        !chain.contains("19/24"),
        "a hidden case is not in the chain of another: {chain}"
    );

    let nonsense = anonymous.get("/saker/ikke-en-sak").await;
    assert_eq!(nonsense.status(), 404);
    assert!(
        nonsense
            .text()
            .contains("Det finnes ingen sak med denne adressen")
    );
    let unknown = anonymous
        .get("/saker/7b3c3bd5-5e8e-4a58-9a64-1a0b8f9c2d11")
        .await;
    assert_eq!(unknown.status(), 404);

    app.delete(&format!("/api/v1/cases/{}", id(&m.case_20)))
        .await
        .expect(204);
    let deleted = anonymous.get(&format!("/saker/{}", id(&m.case_20))).await;
    assert_eq!(deleted.status(), 410);
    assert!(deleted.text().contains("Denne saken er slettet"));
}

async fn the_proposals_page_lists_what_waits_and_editors_answer_there(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let m = matter(&app).await;
    let proposal = id(&waiting(&app, &m.case_20).await[0]).to_owned();
    account(&app, "kari@kommune.no", "Kari Nordmann", Role::Editor).await;
    account(&app, "ola@kommune.no", "Ola Nordmann", Role::Editor).await;
    account(&app, "au@kommune.no", "Anne Arbeidsutvalg", Role::Reader).await;
    let (mut kari, mut ola, mut reader) =
        (Browser::new(&app), Browser::new(&app), Browser::new(&app));
    kari.sign_in("kari@kommune.no", PASSWORD).await;
    ola.sign_in("ola@kommune.no", PASSWORD).await;
    reader.sign_in("au@kommune.no", PASSWORD).await;
    let action = format!("/forslag/{proposal}");

    let seen = reader.get("/forslag").await;
    assert_eq!(seen.status(), 200, "{}", seen.text());
    assert!(seen.text().contains("1 forslag venter"));
    assert!(!seen.text().contains(&action), "no controls for a reader");
    let forged = reader
        .post(&action, &[("csrf", &seen.csrf()), ("valg", "godta")])
        .await;
    assert_eq!(forged.status(), 403);

    let page = kari.get("/forslag").await;
    let text = page.text();
    assert!(
        text.contains(&format!("href=\"/saker/{}\"", id(&m.case_20))),
        "the case it was found in: {text}"
    );
    assert!(text.contains(&format!(
        "Følger opp <a class=\"ds-link\" href=\"/saker/{}\">ASU 15/24</a>",
        id(&m.case_15)
    )));
    let ola_page = ola.get("/forslag").await;
    let no_csrf = kari.post(&action, &[("valg", "godta")]).await;
    assert_eq!(no_csrf.status(), 403);
    let accepted = kari
        .post(&action, &[("csrf", &page.csrf()), ("valg", "godta")])
        .await;
    assert_eq!(accepted.status(), 303, "{}", accepted.text());
    assert_eq!(accepted.location(), "/forslag?forslag=godtatt");
    let after = kari.get(accepted.location()).await.text();
    assert!(after.contains("Forslaget er godtatt") && after.contains("Ingen forslag venter"));
    let late = ola
        .post(&action, &[("csrf", &ola_page.csrf()), ("valg", "godta")])
        .await;
    assert_eq!(late.status(), 409);
    assert!(
        late.text()
            .contains("Kari Nordmann har allerede godtatt forslaget")
    );
    let links = app
        .get(&format!("/api/v1/cases/{}/links", id(&m.case_20)))
        .await
        .expect(200);
    assert_eq!(links["outgoing"].as_array().unwrap().len(), 1, "made once");

    let mut anonymous = Browser::new(&app);
    let refused = anonymous.get("/forslag").await;
    assert_eq!(refused.status(), 303);
    assert!(refused.location().starts_with("/logg-inn"));
}

on_both_backends!(
    the_proposals_page_lists_what_waits_and_editors_answer_there,
    the_case_page_shows_points_links_and_the_chain_across_meetings,
    an_editor_accepts_a_proposal_and_a_second_editor_is_told_it_was_taken,
    an_editor_rejects_a_proposal_and_it_is_not_proposed_again,
    bad_answers_to_a_proposal_change_nothing,
    unknown_hidden_and_deleted_cases_get_their_pages,
);
