//! `/api/v1/owners`

use actix_web::{HttpResponse, delete, get, patch, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::{Editor, Reader};
use super::params::text_segment;
use super::problem::{
    ApiError, BadRequest, Conflict, NotFound, PayloadTooLarge, Unprocessable, UnsupportedMediaType,
};
use super::types::Owner;
use super::{JsonBody, StoreData, created};
use crate::store::owners;
use crate::writes;
use crate::writes::owners::{NewOwner, OwnerChanges};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update)
        .service(remove);
}

/// List owners
///
/// The registry of owners of actions, by name, with their aliases. It starts with the owners
/// named in ASU's documents: ASU, AU, Sekretariatet, the groups, Fagråd 1-5, Kommunene and
/// St. Olavs hospital.
#[utoipa::path(tag = "owners", responses((status = 200, description = "The owners", body = Vec<Owner>)))]
#[get("/owners")]
async fn list(_reader: Reader, store: StoreData) -> Result<web::Json<Vec<Owner>>, ApiError> {
    Ok(web::Json(
        store
            .run(owners::list)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Register an owner
///
/// The name and every alias must be unused by other owners, ignoring case and spacing.
#[utoipa::path(
    tag = "owners",
    request_body(content = NewOwner, example = json!({"name": "Kvalitetsgruppen", "kind": "body", "aliases": ["Kvalitetsgruppa"]})),
    responses(
        (status = 201, description = "Registered", body = Owner, headers(("Location" = String, description = "The owner's URL"))),
        BadRequest, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
    )
)]
#[post("/owners")]
async fn create(
    Editor(actor): Editor,
    store: StoreData,
    body: JsonBody<NewOwner>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let owner: Owner = store
        .run(move |conn| writes::owners::create(conn, new, &actor))
        .await?
        .into();
    Ok(created(
        format!("/api/v1/owners/{}", owner.id),
        owner.version,
        &owner,
    ))
}

/// Get an owner
///
/// By id, name or any alias: `/api/v1/owners/analysegruppa` is Analysegruppen.
#[utoipa::path(
    tag = "owners",
    params(("owner" = String, Path, description = "The owner's id, name or alias", example = "Analysegruppa")),
    responses((status = 200, description = "The owner", body = Owner), BadRequest, NotFound)
)]
#[get("/owners/{owner}")]
async fn get_one(
    _reader: Reader,
    store: StoreData,
    key: web::Path<String>,
) -> Result<web::Json<Owner>, ApiError> {
    let key = text_segment(&key)?.to_owned();
    Ok(web::Json(
        store.run(move |conn| owners::get(conn, &key)).await?.into(),
    ))
}

/// Change an owner
///
/// Renames it, changes its kind, or replaces its aliases.
#[utoipa::path(
    tag = "owners",
    params(("owner" = String, Path, description = "The owner's id, name or alias", example = "Analysegruppen")),
    request_body(content = OwnerChanges, example = json!({"aliases": ["Analysegruppa", "Analysegruppe", "Analyseteamet"]})),
    responses(
        (status = 200, description = "The changed owner", body = Owner),
        BadRequest, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
    )
)]
#[patch("/owners/{owner}")]
async fn update(
    Editor(actor): Editor,
    store: StoreData,
    key: web::Path<String>,
    body: JsonBody<OwnerChanges>,
) -> Result<web::Json<Owner>, ApiError> {
    let key = text_segment(&key)?.to_owned();
    let changes = body.into_inner();
    Ok(web::Json(
        store
            .run(move |conn| writes::owners::update(conn, &key, changes, &actor))
            .await?
            .into(),
    ))
}

/// Delete an owner
///
/// Only an owner of no decision point can be deleted.
#[utoipa::path(
    tag = "owners",
    params(("owner" = String, Path, description = "The owner's id, name or alias")),
    responses((status = 204, description = "Deleted"), BadRequest, NotFound, Conflict)
)]
#[delete("/owners/{owner}")]
async fn remove(
    Editor(actor): Editor,
    store: StoreData,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = text_segment(&key)?.to_owned();
    store
        .run(move |conn| writes::owners::delete(conn, &key, &actor))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
