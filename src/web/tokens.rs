//! `/api-nokler`, for admins: the API tokens of integrations (the archive, dashboards, the
//! web site); create one, its secret shown this once; revoke one.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Chrome, Form, Visitor, WebError, format, section};
use crate::domain::{NonEmptyText, Role};
use crate::store::tokens::{self, IssuedToken, NewToken, Token};
use crate::store::{Store, StoreError};

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    chrome: Chrome,
    tokens: Vec<Token>,
    roles: &'static [Role],
    /// A token just made: its secret, shown only on this answer.
    issued: Option<IssuedToken>,
    typed_name: String,
    typed_role: String,
    /// Why the name cannot be taken.
    error: Option<String>,
    done: bool,
}

impl TokensPage {
    fn role_word(&self, role: &Role) -> &'static str {
        format::role(*role)
    }

    fn date_time(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        format::date_time(*at)
    }
}

struct State {
    issued: Option<IssuedToken>,
    typed_name: String,
    typed_role: String,
    error: Option<String>,
    done: bool,
}

async fn show(
    visitor: &Visitor,
    store: &Store,
    state: State,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let tokens = store.run(tokens::list).await?;
    let page = TokensPage {
        chrome: Chrome::new("API-nøkler", section::TOKENS, visitor),
        tokens,
        roles: Role::ALL,
        issued: state.issued,
        typed_name: state.typed_name,
        typed_role: state.typed_role,
        error: state.error,
        done: state.done,
    };
    super::render(status, &page)
}

#[derive(serde::Deserialize)]
pub struct PageQuery {
    trukket: Option<String>,
}

/// `GET /api-nokler`.
pub async fn page(
    visitor: Visitor,
    store: web::Data<Store>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, WebError> {
    visitor.with_role(Role::Admin)?;
    let state = State {
        issued: None,
        typed_name: String::new(),
        typed_role: Role::Reader.as_str().into(),
        error: None,
        done: query.trukket.is_some(),
    };
    show(&visitor, &store, state, StatusCode::OK).await
}

/// `POST /api-nokler`: makes a token and answers with its secret (not a redirect: the secret
/// must not be in a URL, and it is shown this once; the page is not cached).
pub async fn create(
    visitor: Visitor,
    store: web::Data<Store>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let actor = visitor.with_role(Role::Admin)?.name.clone();
    let form = Form::parse(&body);
    visitor.check_csrf(form.get("csrf"))?;
    let typed_name = form.get("navn").unwrap_or_default().trim().to_owned();
    let typed_role = form.get("rolle").unwrap_or_default().to_owned();
    let role = typed_role
        .parse::<Role>()
        .map_err(|_| WebError::BadRequest("Velg en rolle for nøkkelen.".into()))?;
    let refused = |error: String| State {
        issued: None,
        typed_name: typed_name.clone(),
        typed_role: typed_role.clone(),
        error: Some(error),
        done: false,
    };
    let state = match typed_name.parse::<NonEmptyText>() {
        Err(_) => refused("Skriv hvem nøkkelen er for, som «Arkivet».".into()),
        Ok(name) if name.as_str().chars().count() > 100 => {
            refused("Navnet kan ha høyst 100 tegn.".into())
        }
        Ok(name) => {
            let new = NewToken { name, role };
            match store
                .run(move |conn| tokens::create(conn, new, &actor))
                .await
            {
                Ok(issued) => State {
                    issued: Some(issued),
                    typed_name: String::new(),
                    typed_role: Role::Reader.as_str().into(),
                    error: None,
                    done: false,
                },
                Err(StoreError::Conflict(_)) => refused(format!(
                    "En aktiv nøkkel heter allerede «{typed_name}». Trekk den tilbake først, eller velg et annet navn."
                )),
                Err(other) => return Err(other.into()),
            }
        }
    };
    let status = if state.issued.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    show(&visitor, &store, state, status).await
}

/// `POST /api-nokler/{id}`: revokes a token; a revoked one is refused at once.
pub async fn revoke(
    visitor: Visitor,
    store: web::Data<Store>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    visitor.with_role(Role::Admin)?;
    let form = Form::parse(&body);
    visitor.check_csrf(form.get("csrf"))?;
    let id: uuid::Uuid = id
        .parse()
        .map_err(|_| WebError::NotFound("Det finnes ingen slik nøkkel.".into()))?;
    store
        .run(move |conn| tokens::revoke(conn, &id.to_string()))
        .await
        .map_err(|e| match e {
            StoreError::NotFound(_) => WebError::NotFound("Det finnes ingen slik nøkkel.".into()),
            other => other.into(),
        })?;
    Ok(super::see_other("/api-nokler?trukket=1"))
}
