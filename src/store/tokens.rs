//! API tokens: random, shown once, stored only as a SHA-256 hash.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schema::api_tokens;
use super::{DbConnection, StoreError, StoreResult, now, parse_stored, utc};
use crate::domain::{NonEmptyText, Role};

/// Every token starts with this, so that a leaked one is easy to recognise and search for.
const PREFIX: &str = "vl_";

#[derive(Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
struct TokenRow {
    id: String,
    name: String,
    role: String,
    created_at: NaiveDateTime,
    created_by: String,
    last_used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

/// An API token, without its secret.
#[derive(Debug, Serialize)]
pub struct Token {
    pub id: uuid::Uuid,
    /// Who uses the token; the history names changes made with it by this name.
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// The name of the token that created it, or `cli` for the command line.
    pub created_by: String,
    /// When it was last used, to the minute.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked; a revoked token is refused.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A token just created, with its secret: the only time the secret is shown.
#[derive(Debug, Serialize)]
pub struct IssuedToken {
    #[serde(flatten)]
    pub token: Token,
    /// Send as `Authorization: Bearer <secret>`. It is not stored and cannot be shown again.
    pub secret: String,
}

/// A token to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    #[schema(value_type = NonEmptyText, example = "AU")]
    pub name: NonEmptyText,
    pub role: Role,
}

/// Who a token belongs to, as the service acts on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub name: String,
    pub role: Role,
}

fn hash(secret: &str) -> String {
    crate::domain::sha256_hex(secret.as_bytes())
}

fn new_secret() -> StoreResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Internal(format!("no randomness for a token: {e}")))?;
    Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

fn to_token(row: TokenRow) -> StoreResult<Token> {
    Ok(Token {
        id: parse_stored(&row.id, "api_tokens.id")?,
        name: row.name,
        role: parse_stored(&row.role, "api_tokens.role")?,
        created_at: utc(row.created_at),
        created_by: row.created_by,
        last_used_at: row.last_used_at.map(utc),
        revoked_at: row.revoked_at.map(utc),
    })
}

/// Creates a token; its secret is in the answer and nowhere else.
pub fn create(conn: &mut DbConnection, new: NewToken, actor: &str) -> StoreResult<IssuedToken> {
    super::write_transaction(conn, |conn| {
        create_in(conn, new.name.as_str(), new.role, actor)
    })
}

fn create_in(
    conn: &mut DbConnection,
    name: &str,
    role: Role,
    actor: &str,
) -> StoreResult<IssuedToken> {
    if name.chars().count() > 100 {
        return Err(StoreError::Invalid("name: at most 100 characters".into()));
    }
    let taken: i64 = api_tokens::table
        .filter(api_tokens::name.eq(name))
        .filter(api_tokens::revoked_at.is_null())
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(StoreError::Conflict(format!(
            "an active token is named '{name}' already; revoke it first or choose another name"
        )));
    }
    let secret = new_secret()?;
    let id = uuid::Uuid::new_v4().to_string();
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::id.eq(&id),
            api_tokens::name.eq(name),
            api_tokens::role.eq(role.as_str()),
            api_tokens::token_hash.eq(hash(&secret)),
            api_tokens::created_at.eq(now()),
            api_tokens::created_by.eq(actor),
        ))
        .execute(conn)?;
    let row = api_tokens::table
        .filter(api_tokens::id.eq(&id))
        .select(TokenRow::as_select())
        .first(conn)?;
    Ok(IssuedToken {
        token: to_token(row)?,
        secret,
    })
}

/// Every token, newest first, revoked ones included.
pub fn list(conn: &mut DbConnection) -> StoreResult<Vec<Token>> {
    api_tokens::table
        .select(TokenRow::as_select())
        .order((api_tokens::created_at.desc(), api_tokens::id))
        .load(conn)?
        .into_iter()
        .map(to_token)
        .collect()
}

/// Revokes a token, found by id or by the name of an active token. Revoking a revoked token
/// changes nothing.
pub fn revoke(conn: &mut DbConnection, key: &str) -> StoreResult<Token> {
    revoke_unless(conn, key, None)
}

/// Revokes a token for the caller named `caller`, who may not revoke the token they call
/// with: an admin would lock themselves out with it in the middle of their work. Another
/// admin, or `vedtakslogg token revoke`, can.
pub fn revoke_for(conn: &mut DbConnection, key: &str, caller: &str) -> StoreResult<Token> {
    revoke_unless(conn, key, Some(caller))
}

fn revoke_unless(conn: &mut DbConnection, key: &str, caller: Option<&str>) -> StoreResult<Token> {
    super::write_transaction(conn, |conn| {
        let mut query = api_tokens::table.select(TokenRow::as_select()).into_boxed();
        query = match uuid::Uuid::parse_str(key) {
            Ok(id) => query.filter(api_tokens::id.eq(id.to_string())),
            Err(_) => query
                .filter(api_tokens::name.eq(key))
                .filter(api_tokens::revoked_at.is_null()),
        };
        let row = query
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("no active token is known as '{key}'")))?;
        if row.revoked_at.is_none() {
            // Names are unique among active tokens, so the caller's name names their token.
            if caller == Some(row.name.as_str()) {
                return Err(StoreError::Conflict(format!(
                    "the token '{}' is the one this request is made with, and cannot revoke itself; revoke it with another admin's token or `vedtakslogg token revoke`",
                    row.name
                )));
            }
            diesel::update(api_tokens::table.filter(api_tokens::id.eq(&row.id)))
                .set(api_tokens::revoked_at.eq(now()))
                .execute(conn)?;
        }
        let row = api_tokens::table
            .filter(api_tokens::id.eq(&row.id))
            .select(TokenRow::as_select())
            .first(conn)?;
        to_token(row)
    })
}

/// How long a token's caller is taken from the cache before the database is asked again: the
/// longest a token revoked through another instance of the service is still accepted here.
pub const CALLER_CACHE_SECONDS: u64 = 5;

/// Callers recently authenticated, by secret. Small and short-lived: it only saves the lookup
/// that every request of a busy client would otherwise make.
#[derive(Debug, Default)]
pub struct CallerCache {
    entries: std::sync::Mutex<HashMap<String, (Caller, std::time::Instant)>>,
}

impl CallerCache {
    const MAX_ENTRIES: usize = 1024;

    pub(crate) fn get(&self, secret: &str) -> Option<Caller> {
        let entries = self.entries.lock().ok()?;
        let (caller, at) = entries.get(secret)?;
        (at.elapsed().as_secs() < CALLER_CACHE_SECONDS).then(|| caller.clone())
    }

    pub(crate) fn insert(&self, secret: String, caller: Caller) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= Self::MAX_ENTRIES {
                entries.retain(|_, (_, at)| at.elapsed().as_secs() < CALLER_CACHE_SECONDS);
                if entries.len() >= Self::MAX_ENTRIES {
                    entries.clear();
                }
            }
            entries.insert(secret, (caller, std::time::Instant::now()));
        }
    }

    pub(crate) fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

/// The caller a secret belongs to, if it is a token that is not revoked. Notes the time of
/// use, at most once a minute, so that reads do not turn into writes.
pub fn authenticate(conn: &mut DbConnection, secret: &str) -> StoreResult<Option<Caller>> {
    if !secret.starts_with(PREFIX) {
        return Ok(None);
    }
    let found: Option<(String, String, String, Option<NaiveDateTime>)> = api_tokens::table
        .filter(api_tokens::token_hash.eq(hash(secret)))
        .filter(api_tokens::revoked_at.is_null())
        .select((
            api_tokens::id,
            api_tokens::name,
            api_tokens::role,
            api_tokens::last_used_at,
        ))
        .first(conn)
        .optional()?;
    let Some((id, name, role, last_used)) = found else {
        return Ok(None);
    };
    let at = now();
    if last_used.is_none_or(|last| at - last > TimeDelta::minutes(1)) {
        // Noting the use is bookkeeping: a busy database must not fail the request for it.
        if let Err(error) = diesel::update(api_tokens::table.filter(api_tokens::id.eq(&id)))
            .set(api_tokens::last_used_at.eq(at))
            .execute(conn)
        {
            log::debug!("could not note the use of a token: {error}");
        }
    }
    Ok(Some(Caller {
        name,
        role: parse_stored(&role, "api_tokens.role")?,
    }))
}

/// On a database with no tokens at all, creates the first admin token, so that the person who
/// started the service can create the others. Returns it, or `None` when tokens exist.
///
/// `deliver` hands the secret to whoever starts the service; if it cannot, no token is made, so
/// that the next start tries again instead of leaving a database nobody can get into.
pub fn bootstrap_admin(
    conn: &mut DbConnection,
    deliver: impl FnOnce(&IssuedToken) -> Result<(), String>,
) -> StoreResult<Option<IssuedToken>> {
    super::write_transaction(conn, |conn| {
        let existing: i64 = api_tokens::table.count().get_result(conn)?;
        if existing > 0 {
            return Ok(None);
        }
        let issued = create_in(conn, "admin", Role::Admin, "first start")?;
        deliver(&issued).map_err(StoreError::Invalid)?;
        Ok(Some(issued))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_prefixed_and_hashed() {
        let (a, b) = (new_secret().unwrap(), new_secret().unwrap());
        assert_ne!(a, b);
        assert!(a.starts_with(PREFIX) && a.len() == PREFIX.len() + 43, "{a}");
        assert_eq!(hash(&a).len(), 64);
        assert_ne!(hash(&a), hash(&b));
        assert!(!hash(&a).contains(&a[PREFIX.len()..]));
    }
}
