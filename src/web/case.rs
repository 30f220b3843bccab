//! `/saker/{id}`: one case with its decision points, its links to other cases, the links
//! proposed from its text (editors accept or reject them here), and the chain of the matter
//! across meetings as a timeline (31/23 → 37/23; 15/24 postponed → 19/24).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Chrome, Form, Visitor, WebError, format, section};
use crate::domain::{CaseId, LinkKind};
use crate::store::cases::{self, Case, CaseDetail};
use crate::store::chains::{self, Chain};
use crate::store::decisions::Decision;
use crate::store::links::{Link, LinkEnd};
use crate::store::proposals::{self, Proposal, ProposalFilter, ProposalStatus};
use crate::store::{DbConnection, Store, StoreError, StoreResult, Visibility};

/// A link as the page shows it: what it says seen from this case, and the other end.
struct LinkLine {
    words: &'static str,
    other: String,
    /// The page of the other case, when it is recorded.
    href: Option<String>,
    note: Option<String>,
}

fn link_line(link: &Link, outgoing: bool) -> LinkLine {
    let other = if outgoing { &link.target } else { &link.source };
    LinkLine {
        words: format::link_kind(link.kind, outgoing),
        other: end_name(other),
        href: other.case_id.map(|id| format!("/saker/{id}")),
        note: link.note.clone(),
    }
}

fn end_name(end: &LinkEnd) -> String {
    match end.position {
        Some(position) => format!("{} {}-{position}", end.committee, end.number),
        None => format!("{} {}", end.committee, end.number),
    }
}

/// One case of the chain of the matter, with how it came from the case before it.
struct Step {
    case: Case,
    points: usize,
    open_points: usize,
    /// "Utsatt fra 15/24", "Følger opp 31/23": the links that lead into this case.
    came_from: Vec<String>,
    current: bool,
}

fn steps(chain: Chain, current: CaseId) -> Vec<Step> {
    chain
        .cases
        .into_iter()
        .map(|member| {
            let came_from = chain
                .links
                .iter()
                .filter(|l| l.target.case_id == Some(member.case.id))
                .filter(|l| l.kind != LinkKind::RefersTo)
                .map(|l| {
                    format!(
                        "{} {}",
                        format::link_kind(l.kind, false),
                        end_name(&l.source)
                    )
                })
                .collect();
            Step {
                points: member.decisions.len(),
                open_points: member
                    .decisions
                    .iter()
                    .filter(|d| d.needs_follow_up && d.status.is_active())
                    .count(),
                current: member.case.id == current,
                case: member.case,
                came_from,
            }
        })
        .collect()
}

/// A proposed link waiting for an editor.
struct Suggestion {
    id: String,
    words: &'static str,
    target: String,
    /// The page of the case it would link to, when that is recorded.
    href: Option<String>,
    matched_text: String,
}

fn suggestion(proposal: &Proposal) -> Suggestion {
    Suggestion {
        id: proposal.id.to_string(),
        words: format::link_kind(proposal.kind, true),
        target: super::proposals::target_words(proposal),
        href: proposal.target.case_id.map(|id| format!("/saker/{id}")),
        matched_text: proposal.matched_text.clone(),
    }
}

/// Everything the page shows, read in one store call.
struct Loaded {
    detail: CaseDetail,
    chain: Chain,
    /// `None` for anonymous visitors: proposals quote text that may not be public.
    proposals: Option<Vec<Proposal>>,
}

fn load(
    conn: &mut DbConnection,
    id: CaseId,
    visibility: Visibility,
    signed_in: bool,
) -> StoreResult<Loaded> {
    let case = cases::get(conn, id, visibility)?;
    let chain = chains::of_case(conn, &case.committee, case.number, visibility)?;
    let proposals = if signed_in {
        let filter = ProposalFilter {
            case: Some(id),
            status: Some(ProposalStatus::Proposed),
            committee: None,
        };
        Some(proposals::list(conn, &filter, visibility)?)
    } else {
        None
    };
    let detail = cases::detail(conn, case, visibility)?;
    Ok(Loaded {
        detail,
        chain,
        proposals,
    })
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    chrome: Chrome,
    case: Case,
    points: Vec<Decision>,
    outgoing: Vec<LinkLine>,
    incoming: Vec<LinkLine>,
    steps: Vec<Step>,
    suggestions: Option<Vec<Suggestion>>,
    can_edit: bool,
    /// What the last form did, for the message at the top.
    done: Option<&'static str>,
    /// Why the last form could not be carried out.
    problem: Option<String>,
}

impl CasePage {
    fn date(&self, day: &chrono::NaiveDate) -> String {
        format::date(*day)
    }

    fn case_status(&self, case: &Case) -> &'static str {
        format::case_status(case.status)
    }

    /// The narrative from the minutes, without the heading "Referat" it often starts with.
    fn narrative(&self) -> Option<&str> {
        let text = self.case.narrative.as_deref()?.trim();
        let text = match text.split_once('\n') {
            Some((first, rest)) if first.trim().eq_ignore_ascii_case("referat") => rest.trim(),
            _ => text,
        };
        Some(text).filter(|t| !t.is_empty())
    }
}

fn show(
    visitor: &Visitor,
    loaded: Loaded,
    done: Option<&'static str>,
    problem: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let Loaded {
        detail,
        chain,
        proposals,
    } = loaded;
    let case = detail.case;
    let title = format!("Sak {} {}", case.committee, case.number);
    let page = CasePage {
        chrome: Chrome::new(title, section::MEETINGS, visitor),
        points: detail.decisions,
        outgoing: detail
            .links
            .outgoing
            .iter()
            .map(|l| link_line(l, true))
            .collect(),
        incoming: detail
            .links
            .incoming
            .iter()
            .map(|l| link_line(l, false))
            .collect(),
        steps: steps(chain, case.id),
        suggestions: proposals.map(|list| list.iter().map(suggestion).collect()),
        can_edit: visitor.can_edit(),
        case,
        done,
        problem,
    };
    super::render(status, &page)
}

fn parse_id(id: &str) -> Result<CaseId, WebError> {
    id.parse()
        .map_err(|_| WebError::NotFound("Det finnes ingen sak med denne adressen.".into()))
}

fn gone(error: StoreError) -> WebError {
    WebError::from_store_deleted(
        error,
        "Denne saken er slettet. Historikken er tatt vare på i loggen.",
    )
}

#[derive(serde::Deserialize)]
pub struct PageQuery {
    forslag: Option<String>,
}

/// `GET /saker/{id}`.
pub async fn page(
    visitor: Visitor,
    store: web::Data<Store>,
    id: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, WebError> {
    let visibility = visitor.reader()?;
    let id = parse_id(&id)?;
    let signed_in = visitor.user.is_some();
    let loaded = store
        .run(move |conn| load(conn, id, visibility, signed_in))
        .await
        .map_err(gone)?;
    let done = match query.forslag.as_deref() {
        Some("godtatt") => Some("Forslaget er godtatt, og koblingen er lagret."),
        Some("avvist") => Some("Forslaget er avvist. Det blir ikke foreslått igjen."),
        _ => None,
    };
    show(&visitor, loaded, done, None, StatusCode::OK)
}

/// `POST /saker/{id}/forslag/{proposal}`: accepts (`valg=godta`) or rejects (`valg=avvis`) a
/// proposed link of the case, as the person signed in.
pub async fn answer_proposal(
    visitor: Visitor,
    store: web::Data<Store>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let user = visitor.editor()?.clone();
    let form = Form::parse(&body);
    visitor.check_csrf(form.get("csrf"))?;
    let (id, proposal) = path.into_inner();
    let id = parse_id(&id)?;
    let problem = match super::proposals::answer(&store, &user, &form, &proposal, Some(id)).await? {
        Ok(word) => return Ok(super::see_other(&format!("/saker/{id}?forslag={word}"))),
        Err(problem) => problem,
    };
    let loaded = store
        .run(move |conn| load(conn, id, Visibility::All, true))
        .await
        .map_err(gone)?;
    show(&visitor, loaded, None, Some(problem), StatusCode::CONFLICT)
}
