//! `/api/v1/proposals`: links proposed from references in the texts, for editors to accept or
//! reject.

use actix_web::{get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::StoreData;
use super::auth::{Editor, Reader};
use super::params::QueryParams;
use super::problem::{ApiError, BadRequest, Conflict, NotFound, Unprocessable};
use super::types::Proposal;
use crate::domain::{CaseId, CaseNumber, CommitteeCode};
use crate::store::proposals::{self, ProposalFilter, ProposalStatus};
use crate::writes;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list).service(accept).service(reject);
}

/// Which proposals to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProposalQuery {
    /// Only the proposals of this case.
    #[param(value_type = Option<uuid::Uuid>)]
    pub case: Option<CaseId>,
    /// Only proposals in this state; `proposed` is what awaits an editor.
    #[param(inline)]
    pub status: Option<ProposalStatus>,
    /// Only proposals from this committee's cases.
    #[param(value_type = Option<CommitteeCode>, example = "ASU")]
    pub committee: Option<CommitteeCode>,
}

/// List proposed links
///
/// When a case or decision point is recorded or its text changes, the references in its title,
/// narrative and points ("sak 31/23", "vedtak 31/23", "(sak 27/23)", "ASU-sak 53/22", "sak
/// 23-24", "Oppfølging sak 3/24", "Saken utsettes til ASU-møte 19.06.24") are proposed as links,
/// with the words they were found in. A title starting with "Oppfølging", or a reference in a
/// sentence about a decision (vedtak), proposes `follows_up`; a postponement to a meeting
/// proposes `postponed_to` the case of that meeting whose title is most like this one; other
/// references propose `refers_to`. Newest first.
#[utoipa::path(
    tag = "links",
    params(ProposalQuery),
    responses((status = 200, description = "The proposals", body = Vec<Proposal>), BadRequest)
)]
#[get("/proposals")]
async fn list(
    Reader(visibility): Reader,
    _token: super::auth::TokenHolder,
    store: StoreData,
    QueryParams(query): QueryParams<ProposalQuery>,
) -> Result<web::Json<Vec<Proposal>>, ApiError> {
    let filter = ProposalFilter {
        case: query.case,
        status: query.status,
        committee: query.committee,
    };
    Ok(web::Json(
        store
            .run(move |conn| proposals::list(conn, &filter, visibility))
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// The case to link to when accepting a proposal.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AcceptQuery {
    /// The case to link to (NN-YY), instead of the one proposed; for a postponement to a
    /// meeting whose cases are not alike in title.
    #[param(value_type = Option<CaseNumber>, example = "19-24")]
    pub target: Option<CaseNumber>,
}

/// Accept a proposed link
///
/// Makes the link (recorded in the history of the case) and marks the proposal accepted. A
/// link that would make a cycle of follows_up and postponed_to links is refused with 409, as is
/// a proposal decided already. Needs the editor role.
#[utoipa::path(
    tag = "links",
    params(("id" = uuid::Uuid, Path, description = "The proposal's id"), AcceptQuery),
    responses((status = 200, description = "Accepted; `link_id` is the link made", body = Proposal), BadRequest, NotFound, Conflict, Unprocessable)
)]
#[post("/proposals/{id}/accept")]
async fn accept(
    Editor(actor): Editor,
    store: StoreData,
    id: web::Path<String>,
    QueryParams(query): QueryParams<AcceptQuery>,
) -> Result<web::Json<Proposal>, ApiError> {
    let id: uuid::Uuid = uuid::Uuid::parse_str(&id).map_err(|_| {
        ApiError::BadRequest(format!("invalid proposal id '{id}': expected a UUID"))
    })?;
    Ok(web::Json(
        store
            .run(move |conn| writes::proposals::accept(conn, id, query.target, &actor))
            .await?
            .into(),
    ))
}

/// Reject a proposed link
///
/// The same target is not proposed for the case again. Needs the editor role.
#[utoipa::path(
    tag = "links",
    params(("id" = uuid::Uuid, Path, description = "The proposal's id")),
    responses((status = 200, description = "Rejected", body = Proposal), BadRequest, NotFound, Conflict)
)]
#[post("/proposals/{id}/reject")]
async fn reject(
    Editor(actor): Editor,
    store: StoreData,
    id: web::Path<String>,
) -> Result<web::Json<Proposal>, ApiError> {
    let id: uuid::Uuid = uuid::Uuid::parse_str(&id).map_err(|_| {
        ApiError::BadRequest(format!("invalid proposal id '{id}': expected a UUID"))
    })?;
    Ok(web::Json(
        store
            .run(move |conn| writes::proposals::reject(conn, id, &actor))
            .await?
            .into(),
    ))
}
