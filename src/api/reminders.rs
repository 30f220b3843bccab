//! `/api/v1/reminders`: the reminder mails (queued, sent, failed), a preview of a day's, and
//! the addresses owners are reminded at. Admins only: the addresses are personal data.

use actix_web::{get, put, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Admin;
use super::params::{QueryParams, text_segment};
use super::problem::{
    ApiError, BadRequest, NotFound, PayloadTooLarge, Unprocessable, UnsupportedMediaType,
};
use super::{JsonBody, StoreData};
use crate::store::outbox::Delivery;
use crate::store::reminders::{self, Contact, Digest, OwnerContacts, Rules};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(preview)
        .service(contacts)
        .service(set_contacts);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// How many of the newest mails to show, at most 200.
    #[param(minimum = 1, maximum = 200, default = 50)]
    limit: Option<i64>,
}

/// List reminder mails
///
/// The newest reminder mails of the outbox, newest first: `pending` (queued, or to be tried
/// again), `delivered` (taken by the SMTP server) or `failed`; each with its recipient, its
/// subject and text (`payload`) and the log of every try. `event` is `reminder` for an owner's
/// digest and `summary` for the secretariat's weekly summary. Needs the admin role.
#[utoipa::path(
    tag = "reminders",
    params(ListQuery),
    responses((status = 200, description = "The mails", body = Vec<Delivery>), BadRequest)
)]
#[get("/reminders")]
async fn list(
    _admin: Admin,
    store: StoreData,
    query: QueryParams<ListQuery>,
) -> Result<web::Json<Vec<Delivery>>, ApiError> {
    let limit = super::webhooks::newest_limit(query.0.limit)?;
    Ok(web::Json(
        store.run(move |conn| reminders::mails(conn, limit)).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct PreviewQuery {
    /// The day, `YYYY-MM-DD`; today (UTC) when left out.
    #[param(value_type = Option<String>, format = Date, example = "2024-08-23")]
    date: Option<chrono::NaiveDate>,
}

/// Preview a day's reminders
///
/// The digests that would go out on a day and have not gone out already, one per recipient:
/// owners a set number of days before a deadline (7 unless configured), on the day, and the day
/// after it passed and weekly after that, while the point is open or in progress; the
/// secretariat's weekly summary of everything overdue. Nothing is written; the same as
/// `vedtakslogg remind --dry-run --date D`. Needs the admin role.
#[utoipa::path(
    tag = "reminders",
    params(PreviewQuery),
    responses((status = 200, description = "The digests", body = Vec<Digest>), BadRequest)
)]
#[get("/reminders/preview")]
async fn preview(
    _admin: Admin,
    store: StoreData,
    rules: Option<web::Data<Rules>>,
    query: QueryParams<PreviewQuery>,
) -> Result<web::Json<Vec<Digest>>, ApiError> {
    let rules = rules.map(|r| (**r).clone()).unwrap_or_default();
    let date = query
        .0
        .date
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    Ok(web::Json(
        store
            .run(move |conn| reminders::plan(conn, date, &rules))
            .await?,
    ))
}

/// List owners' addresses
///
/// Every owner that has addresses for reminders, with the reminders each address wants.
/// Needs the admin role.
#[utoipa::path(
    tag = "reminders",
    responses((status = 200, description = "The owners' addresses", body = Vec<OwnerContacts>))
)]
#[get("/reminders/contacts")]
async fn contacts(
    _admin: Admin,
    store: StoreData,
) -> Result<web::Json<Vec<OwnerContacts>>, ApiError> {
    Ok(web::Json(
        store.run(|conn| reminders::contacts_of(conn, None)).await?,
    ))
}

/// The addresses to set for an owner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactList {
    /// Replaces the owner's addresses; an empty list removes them. A body (Analysegruppen)
    /// may have several.
    pub contacts: Vec<Contact>,
}

/// Set an owner's addresses
///
/// Where an owner (a person, or a body such as Analysegruppen) is reminded of the deadlines of
/// its points, and of which: `before`, `due`, `overdue` (all when `reminders` is left out).
/// Addresses are kept in lower case. Points whose owners have no address are reminded to the
/// secretariat's address, when one is configured. Needs the admin role.
#[utoipa::path(
    tag = "reminders",
    params(("owner" = String, Path, description = "The owner's id, name or alias", example = "Analysegruppen")),
    request_body(content = ContactList, example = json!({"contacts": [{"email": "analysegruppen@trondheim.kommune.no"}, {"email": "leder@stolav.no", "reminders": ["due", "overdue"]}]})),
    responses(
        (status = 200, description = "The owner's addresses now", body = OwnerContacts),
        BadRequest, NotFound, PayloadTooLarge, UnsupportedMediaType, Unprocessable
    )
)]
#[put("/reminders/contacts/{owner}")]
async fn set_contacts(
    _admin: Admin,
    store: StoreData,
    owner: web::Path<String>,
    body: JsonBody<ContactList>,
) -> Result<web::Json<OwnerContacts>, ApiError> {
    let owner = text_segment(&owner)?.to_owned();
    let wanted = body.into_inner();
    Ok(web::Json(
        store
            .run(move |conn| reminders::set_contacts(conn, &owner, wanted.contacts))
            .await?,
    ))
}
