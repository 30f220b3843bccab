//! `/brukere`, for admins: the accounts of the people who use the pages; create one, change a
//! role, disable or enable, end a person's sessions.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Chrome, FieldError, Form, Visitor, WebError, format, section};
use crate::domain::Role;
use crate::store::users::{self, MIN_PASSWORD_CHARS, NewUser, User};
use crate::store::{Store, StoreError, sessions};

#[derive(Default)]
struct Typed {
    name: String,
    email: String,
    role: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<User>,
    roles: &'static [Role],
    typed: Typed,
    errors: Vec<FieldError>,
    done: Option<&'static str>,
    problem: Option<String>,
}

impl UsersPage {
    fn role_word(&self, role: &Role) -> &'static str {
        format::role(*role)
    }

    /// The text fields of the form: id, name, label, type, autocomplete and what was typed
    /// (never the password).
    fn fields(
        &self,
    ) -> [(
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        String,
    ); 3] {
        [
            (
                "felt-navn",
                "navn",
                "Navn",
                "text",
                "off",
                self.typed.name.clone(),
            ),
            (
                "felt-epost",
                "epost",
                "E-post",
                "email",
                "off",
                self.typed.email.clone(),
            ),
            (
                "felt-passord",
                "passord",
                "Passord (minst 10 tegn)",
                "password",
                "new-password",
                String::new(),
            ),
        ]
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }
}

fn admin(visitor: &Visitor) -> Result<String, WebError> {
    Ok(visitor.with_role(Role::Admin)?.name.clone())
}

async fn show(
    visitor: &Visitor,
    store: &Store,
    typed: Typed,
    errors: Vec<FieldError>,
    done: Option<&'static str>,
    problem: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let mut users = store.run(users::list).await?;
    users.sort_by_cached_key(|u| format::sort_key(&u.name));
    let page = UsersPage {
        chrome: Chrome::new("Brukere", section::USERS, visitor),
        users,
        roles: Role::ALL,
        typed,
        errors,
        done,
        problem,
    };
    super::render(status, &page)
}

#[derive(serde::Deserialize)]
pub struct PageQuery {
    lagret: Option<String>,
}

/// `GET /brukere`.
pub async fn page(
    visitor: Visitor,
    store: web::Data<Store>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, WebError> {
    admin(&visitor)?;
    let done = match query.lagret.as_deref() {
        Some("ny") => Some("Kontoen er opprettet. Gi personen passordet på en trygg måte."),
        Some("rolle") => Some("Rollen er endret. Den gjelder fra personens neste side."),
        Some("deaktivert") => Some("Kontoen er deaktivert, og personens økter er avsluttet."),
        Some("aktivert") => Some("Kontoen er aktivert igjen."),
        Some("okter") => Some("Personens økter er avsluttet. Personen må logge inn på nytt."),
        _ => None,
    };
    show(
        &visitor,
        &store,
        Typed::default(),
        Vec::new(),
        done,
        None,
        StatusCode::OK,
    )
    .await
}

/// `POST /brukere`: creates an account with a password the admin gives the person.
pub async fn create(
    visitor: Visitor,
    store: web::Data<Store>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let actor = admin(&visitor)?;
    let form = Form::parse(&body);
    visitor.check_csrf(form.get("csrf"))?;
    let typed = Typed {
        name: form.get("navn").unwrap_or_default().trim().to_owned(),
        email: form.get("epost").unwrap_or_default().trim().to_owned(),
        role: form.get("rolle").unwrap_or_default().to_owned(),
    };
    let password = form.get("passord").unwrap_or_default().to_owned();
    let mut errors = Vec::new();
    if typed.name.is_empty() || typed.name.chars().count() > 100 {
        errors.push(FieldError {
            field: "felt-navn",
            message: "Skriv personens navn (høyst 100 tegn). Det står i historikken.".into(),
        });
    }
    if users::normalize_email(&typed.email).is_err() {
        errors.push(FieldError {
            field: "felt-epost",
            message: "Skriv en e-postadresse, som kari.nordmann@kommune.no.".into(),
        });
    }
    let role = typed.role.parse::<Role>().ok();
    if role.is_none() {
        errors.push(FieldError {
            field: "felt-rolle",
            message: "Velg en rolle.".into(),
        });
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        errors.push(FieldError {
            field: "felt-passord",
            message: format!("Passordet må ha minst {MIN_PASSWORD_CHARS} tegn."),
        });
    }
    if let (true, Some(role)) = (errors.is_empty(), role) {
        let new = NewUser {
            email: typed.email.clone(),
            name: typed.name.clone(),
            role,
            password: Some(password),
        };
        match store
            .run(move |conn| users::create(conn, new, &actor))
            .await
        {
            Ok(_) => return Ok(super::see_other("/brukere?lagret=ny")),
            Err(StoreError::Conflict(_)) => errors.push(FieldError {
                field: "felt-epost",
                message: format!("Det finnes allerede en konto med adressen {}.", typed.email),
            }),
            Err(other) => return Err(other.into()),
        }
    }
    show(
        &visitor,
        &store,
        typed,
        errors,
        None,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// `POST /brukere/{id}`: one change to an account, named by the button (`handling`): a new
/// role (`rolle`), disable, enable, or end the sessions.
pub async fn change(
    visitor: Visitor,
    store: web::Data<Store>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    admin(&visitor)?;
    let form = Form::parse(&body);
    visitor.check_csrf(form.get("csrf"))?;
    let id: uuid::Uuid = id
        .parse()
        .map_err(|_| WebError::NotFound("Det finnes ingen slik konto.".into()))?;
    let key = id.to_string();
    let (result, word) = match form.get("handling") {
        Some("rolle") => {
            let role = form
                .get("rolle")
                .and_then(|r| r.parse::<Role>().ok())
                .ok_or_else(|| WebError::BadRequest("Velg en rolle.".into()))?;
            let result = store
                .run(move |conn| users::set_role(conn, &key, role).map(|_| ()))
                .await;
            (result, "rolle")
        }
        Some(action @ ("deaktiver" | "aktiver")) => {
            let disable = action == "deaktiver";
            let result = store
                .run(move |conn| users::set_disabled(conn, &key, disable).map(|_| ()))
                .await;
            (result, if disable { "deaktivert" } else { "aktivert" })
        }
        Some("avslutt") => {
            let result = store
                .run(move |conn| sessions::end_all(conn, id).map(|_| ()))
                .await;
            (result, "okter")
        }
        _ => {
            return Err(WebError::BadRequest(
                "Skjemaet sa ikke hva som skulle endres.".into(),
            ));
        }
    };
    match result {
        Ok(()) => Ok(super::see_other(&format!("/brukere?lagret={word}"))),
        // The store keeps one admin who can sign in.
        Err(StoreError::Conflict(_)) => {
            show(
                &visitor,
                &store,
                Typed::default(),
                Vec::new(),
                None,
                Some(
                    "Dette er den siste administratoren som kan logge inn. Gjør en annen person \
                     til administrator først."
                        .into(),
                ),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(StoreError::NotFound(_)) => {
            Err(WebError::NotFound("Det finnes ingen slik konto.".into()))
        }
        Err(other) => Err(other.into()),
    }
}
