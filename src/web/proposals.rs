//! `/forslag`: the links proposed from the text of cases ("Oppfølging sak 3/24", "jfr. vedtak
//! i sak 31/23") that wait for an editor to accept or reject them; and the answering itself,
//! which the case page shares.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Chrome, Form, Visitor, WebError, format, section};
use crate::domain::CaseId;
use crate::store::cases::{self, Case};
use crate::store::proposals::{self, Proposal, ProposalFilter, ProposalStatus};
use crate::store::sessions::SessionUser;
use crate::store::{Store, StoreError, Visibility};
use crate::writes;

/// A proposal with the case it was found in.
struct Waiting {
    proposal: Proposal,
    case: Case,
}

#[derive(Template)]
#[template(path = "proposals.html")]
struct ProposalsPage {
    chrome: Chrome,
    waiting: Vec<Waiting>,
    can_edit: bool,
    done: Option<&'static str>,
    problem: Option<String>,
}

impl ProposalsPage {
    fn date(&self, day: &chrono::NaiveDate) -> String {
        format::date(*day)
    }

    fn words(&self, proposal: &Proposal) -> &'static str {
        format::link_kind(proposal.kind, true)
    }

    fn target(&self, proposal: &Proposal) -> String {
        target_words(proposal)
    }
}

/// What a proposal points at, in words: a case by number, or the case of a meeting most like
/// the one it was found in.
pub(super) fn target_words(proposal: &Proposal) -> String {
    let target = &proposal.target;
    match (target.number, target.meeting_date, target.case_number) {
        (Some(number), _, _) => format!("{} {number}", target.committee),
        (None, Some(day), Some(best)) => format!(
            "{} {best} (saken i {}-møtet {} som ligner mest)",
            target.committee,
            target.committee,
            format::date(day)
        ),
        (None, Some(day), None) => format!(
            "en sak i {}-møtet {} (ingen er registrert ennå)",
            target.committee,
            format::date(day)
        ),
        (None, None, _) => target.committee.to_string(),
    }
}

async fn show(
    visitor: &Visitor,
    store: &Store,
    done: Option<&'static str>,
    problem: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let waiting = store
        .run(|conn| {
            let filter = ProposalFilter {
                case: None,
                status: Some(ProposalStatus::Proposed),
                committee: None,
            };
            let found = proposals::list(conn, &filter, Visibility::All)?;
            let ids: Vec<String> = found.iter().map(|p| p.source_case_id.to_string()).collect();
            let by_id = cases::by_ids(conn, &ids, Visibility::All)?;
            Ok(found
                .into_iter()
                .filter_map(|proposal| {
                    let case = by_id.iter().find(|c| c.id == proposal.source_case_id)?;
                    Some(Waiting {
                        case: case.clone(),
                        proposal,
                    })
                })
                .collect::<Vec<_>>())
        })
        .await?;
    let page = ProposalsPage {
        chrome: Chrome::new("Forslag til koblinger", section::PROPOSALS, visitor),
        waiting,
        can_edit: visitor.can_edit(),
        done,
        problem,
    };
    super::render(status, &page)
}

#[derive(serde::Deserialize)]
pub struct PageQuery {
    forslag: Option<String>,
}

fn done(word: Option<&str>) -> Option<&'static str> {
    match word {
        Some("godtatt") => Some("Forslaget er godtatt, og koblingen er lagret."),
        Some("avvist") => Some("Forslaget er avvist. Det blir ikke foreslått igjen."),
        _ => None,
    }
}

/// `GET /forslag`: for those signed in (proposals quote text that may not be public).
pub async fn page(
    visitor: Visitor,
    store: web::Data<Store>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, WebError> {
    visitor.with_role(crate::domain::Role::Reader)?;
    show(
        &visitor,
        &store,
        done(query.forslag.as_deref()),
        None,
        StatusCode::OK,
    )
    .await
}

/// `POST /forslag/{proposal}`.
pub async fn submit(
    visitor: Visitor,
    store: web::Data<Store>,
    proposal: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let user = visitor.editor()?.clone();
    let form = Form::parse(&body);
    visitor.check_csrf(form.get("csrf"))?;
    match answer(&store, &user, &form, &proposal, None).await? {
        Ok(word) => Ok(super::see_other(&format!("/forslag?forslag={word}"))),
        Err(problem) => show(&visitor, &store, None, Some(problem), StatusCode::CONFLICT).await,
    }
}

/// What came of an editor's answer to a proposal.
enum Answer {
    Accepted,
    Rejected,
    /// Someone else answered it first.
    AlreadyDecided(Box<Proposal>),
    /// A proposal naming a meeting, where no case of that meeting is recorded yet.
    NoTarget,
}

/// Carries out an editor's answer to a proposal (`valg=godta` or `valg=avvis`), of `case`
/// when the address names one. `Ok("godtatt" | "avvist")` when done; `Err` with the words
/// for the page when it could not be done (someone answered first; nothing to link to).
pub(super) async fn answer(
    store: &Store,
    user: &SessionUser,
    form: &Form,
    proposal: &str,
    case: Option<CaseId>,
) -> Result<Result<&'static str, String>, WebError> {
    let proposal: uuid::Uuid = proposal
        .parse()
        .map_err(|_| WebError::NotFound("Det finnes ikke noe slikt forslag.".into()))?;
    let accept = match form.get("valg") {
        Some("godta") => true,
        Some("avvis") => false,
        _ => {
            return Err(WebError::BadRequest(
                "Skjemaet sa ikke om forslaget skulle godtas eller avvises.".into(),
            ));
        }
    };
    let actor = user.name.clone();
    let find = move |conn: &mut _| -> Result<Option<Proposal>, StoreError> {
        let filter = ProposalFilter {
            case,
            status: None,
            committee: None,
        };
        Ok(proposals::list(conn, &filter, Visibility::All)?
            .into_iter()
            .find(|p| p.id == proposal))
    };
    let answer = store
        .run(move |conn| {
            // When the address names a case, the proposal must be one of its own.
            if find(conn)?.is_none() {
                return Err(StoreError::NotFound(format!("no proposal {proposal}")));
            }
            let result = if accept {
                writes::proposals::accept(conn, proposal, None, &actor).map(|_| Answer::Accepted)
            } else {
                writes::proposals::reject(conn, proposal, &actor).map(|_| Answer::Rejected)
            };
            match result {
                Err(StoreError::Conflict(_)) => Ok(match find(conn)? {
                    Some(p) if p.status != ProposalStatus::Proposed => {
                        Answer::AlreadyDecided(Box::new(p))
                    }
                    _ => Answer::NoTarget,
                }),
                other => other,
            }
        })
        .await?;
    Ok(match answer {
        Answer::Accepted => Ok("godtatt"),
        Answer::Rejected => Ok("avvist"),
        Answer::AlreadyDecided(p) => Err(format!(
            "{} har allerede {} forslaget{}. Ingenting er endret.",
            p.decided_by.as_deref().unwrap_or("Noen andre"),
            if p.status == ProposalStatus::Accepted {
                "godtatt"
            } else {
                "avvist"
            },
            p.decided_at
                .map(|at| format!(" {}", format::date_time(at)))
                .unwrap_or_default()
        )),
        Answer::NoTarget => Err(
            "Forslaget peker på et møte der ingen sak er registrert ennå. \
             Registrer saken i møtet først, og godta forslaget etterpå."
                .to_owned(),
        ),
    })
}
