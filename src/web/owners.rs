//! `/ansvarlige`: the owner registry with every spelling of each owner, so that
//! "Analysegruppa" and "analysegruppen" are one; editors register owners and add spellings.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Chrome, FieldError, Form, Visitor, WebError, format, section};
use crate::domain::{NonEmptyText, OwnerKind};
use crate::store::owners::{self, Owner};
use crate::store::{DbConnection, Store, StoreError, StoreResult};
use crate::writes;
use crate::writes::owners::NewOwner;

/// What the two forms hold, as typed.
#[derive(Default, Clone)]
struct Typed {
    name: String,
    kind: String,
    aliases: String,
    /// The owner a spelling is added to, and the spelling.
    owner: String,
    alias: String,
}

#[derive(Template)]
#[template(path = "owners.html")]
struct OwnersPage {
    chrome: Chrome,
    owners: Vec<Owner>,
    can_edit: bool,
    typed: Typed,
    errors: Vec<FieldError>,
    done: Option<&'static str>,
    kinds: &'static [OwnerKind],
}

impl OwnersPage {
    fn kind_word(&self, kind: &OwnerKind) -> &'static str {
        format::owner_kind(*kind)
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }

    fn open_work(&self, owner: &Owner) -> String {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("ansvarlig", &owner.name)
            .append_pair("status", "open")
            .append_pair("status", "in_progress")
            .finish();
        format!("/vedtakspunkter?{query}")
    }
}

async fn show(
    visitor: &Visitor,
    store: &Store,
    typed: Typed,
    errors: Vec<FieldError>,
    done: Option<&'static str>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let mut owners = store.run(owners::list).await?;
    owners.sort_by_cached_key(|o| format::sort_key(&o.name));
    let page = OwnersPage {
        chrome: Chrome::new("Ansvarlige", section::OWNERS, visitor),
        owners,
        can_edit: visitor.can_edit(),
        typed,
        errors,
        done,
        kinds: OwnerKind::ALL,
    };
    super::render(status, &page)
}

#[derive(serde::Deserialize)]
pub struct PageQuery {
    lagret: Option<String>,
}

/// `GET /ansvarlige`.
pub async fn page(
    visitor: Visitor,
    store: web::Data<Store>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, WebError> {
    visitor.reader()?;
    let done = match query.lagret.as_deref() {
        Some("ansvarlig") => Some("Den nye ansvarlige er registrert."),
        Some("stavemate") => Some("Stavemåten er lagt til."),
        _ => None,
    };
    show(
        &visitor,
        &store,
        Typed::default(),
        Vec::new(),
        done,
        StatusCode::OK,
    )
    .await
}

/// A spelling that is already another owner's, told by name; `None` when it is free or the
/// owner's own. (The store refuses it either way; this only finds the words for the page.)
fn taken_by(
    conn: &mut DbConnection,
    spelling: &str,
    own: Option<&str>,
) -> StoreResult<Option<String>> {
    match owners::get(conn, spelling) {
        Ok(other) if Some(other.id.to_string().as_str()) != own => Ok(Some(other.name)),
        Ok(_) | Err(StoreError::NotFound(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

/// What came of a form: saved, or the fields to show again with what is wrong.
enum Outcome {
    Saved,
    Refused(Vec<FieldError>),
}

/// `POST /ansvarlige`: registers an owner with its other spellings (one per line).
pub async fn create(
    visitor: Visitor,
    store: web::Data<Store>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let user = visitor.editor()?.clone();
    let form = Form::parse(&body);
    visitor.check_csrf(form.get("csrf"))?;
    let typed = Typed {
        name: form.get("navn").unwrap_or_default().trim().to_owned(),
        kind: form.get("type").unwrap_or_default().to_owned(),
        aliases: form.get("stavemater").unwrap_or_default().trim().to_owned(),
        ..Typed::default()
    };
    let mut errors = Vec::new();
    let name = typed.name.parse::<NonEmptyText>().ok();
    if name.is_none() {
        errors.push(FieldError::new(
            "felt-navn",
            "Skriv navnet på den ansvarlige.",
        ));
    }
    let kind = typed.kind.parse::<OwnerKind>().ok();
    if kind.is_none() {
        errors.push(FieldError::new(
            "felt-type",
            "Velg hva slags ansvarlig det er.",
        ));
    }
    let aliases: Vec<NonEmptyText> = typed
        .aliases
        .lines()
        .filter_map(|line| line.parse().ok())
        .collect();
    let outcome = match (name, kind) {
        (Some(name), Some(kind)) => {
            store
                .run(move |conn| {
                    for spelling in std::iter::once(&name).chain(&aliases) {
                        if let Some(owner) = taken_by(conn, spelling.as_str(), None)? {
                            let at = if spelling == &name { "felt-navn" } else { "felt-stavemater" };
                            return Ok(Outcome::Refused(vec![FieldError::new(
                                at,
                                format!("«{spelling}» er allerede navn eller stavemåte for {owner}."),
                            )]));
                        }
                    }
                    let new = NewOwner { name, kind, aliases };
                    match writes::owners::create(conn, new, &user.name) {
                        Ok(_) => Ok(Outcome::Saved),
                        Err(StoreError::Invalid(_)) => Ok(Outcome::Refused(vec![FieldError::new(
                            "felt-navn",
                            "Navn og stavemåter må ha minst én bokstav og høyst 200 tegn.",
                        )])),
                        Err(StoreError::Conflict(_)) => Ok(Outcome::Refused(vec![FieldError::new(
                            "felt-navn",
                            "Navnet eller en av stavemåtene er nettopp registrert for en annen ansvarlig. Last siden på nytt.",
                        )])),
                        Err(other) => Err(other),
                    }
                })
                .await?
        }
        _ => Outcome::Refused(errors),
    };
    respond(&visitor, &store, outcome, typed, "ansvarlig").await
}

/// `POST /ansvarlige/stavemate`: adds a spelling to an owner.
pub async fn add_alias(
    visitor: Visitor,
    store: web::Data<Store>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let user = visitor.editor()?.clone();
    let form = Form::parse(&body);
    visitor.check_csrf(form.get("csrf"))?;
    let typed = Typed {
        owner: form.get("ansvarlig").unwrap_or_default().to_owned(),
        alias: form.get("stavemate").unwrap_or_default().trim().to_owned(),
        ..Typed::default()
    };
    let owner = typed.owner.clone();
    let outcome = match (typed.alias.parse::<NonEmptyText>(), owner.is_empty()) {
        (Err(_), _) => Outcome::Refused(vec![FieldError::new(
            "felt-stavemate",
            "Skriv stavemåten som skal legges til.",
        )]),
        (Ok(_), true) => Outcome::Refused(vec![FieldError::new(
            "felt-ansvarlig",
            "Velg hvem stavemåten hører til.",
        )]),
        (Ok(alias), false) => store
            .run(move |conn| {
                let current = owners::get(conn, &owner)?;
                let own = current.id.to_string();
                if let Some(other) = taken_by(conn, alias.as_str(), Some(&own))? {
                    return Ok(Outcome::Refused(vec![FieldError::new(
                        "felt-stavemate",
                        format!("«{alias}» er allerede navn eller stavemåte for {other}."),
                    )]));
                }
                match writes::owners::add_alias(conn, &own, alias, &user.name) {
                    Ok(_) => Ok(Outcome::Saved),
                    Err(StoreError::Invalid(_)) => Ok(Outcome::Refused(vec![FieldError::new(
                        "felt-stavemate",
                        "Stavemåten må ha minst én bokstav og høyst 200 tegn.",
                    )])),
                    Err(other) => Err(other),
                }
            })
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => WebError::NotFound(
                    "Den ansvarlige finnes ikke lenger. Last siden på nytt.".into(),
                ),
                other => other.into(),
            })?,
    };
    respond(&visitor, &store, outcome, typed, "stavemate").await
}

async fn respond(
    visitor: &Visitor,
    store: &Store,
    outcome: Outcome,
    typed: Typed,
    saved: &str,
) -> Result<HttpResponse, WebError> {
    match outcome {
        Outcome::Saved => Ok(super::see_other(&format!("/ansvarlige?lagret={saved}"))),
        Outcome::Refused(errors) => {
            show(
                visitor,
                store,
                typed,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
