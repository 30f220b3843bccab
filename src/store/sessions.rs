//! Sessions of people signed in to the pages, kept in the database so that signing out (or an
//! admin) ends them at once, on every instance of the service. The cookie holds a random
//! secret; the table only its SHA-256. A session knows a user id and nothing about how the
//! person proved who they are.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::schema::{sessions, users};
use super::{DbConnection, StoreError, StoreResult, clock_now, parse_stored};
use crate::domain::Role;

/// A session not used for this long ends.
pub const IDLE_HOURS: i64 = 10;
/// However much it is used, a session ends this long after sign-in.
pub const MAX_DAYS: i64 = 7;

/// A session just started: the secret for the cookie, shown only now.
#[derive(Debug)]
pub struct NewSession {
    pub secret: String,
    pub csrf_token: String,
}

/// Who a session belongs to, as the pages act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUser {
    pub user_id: uuid::Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// The token every form of this session must carry.
    pub csrf_token: String,
}

fn random_token() -> StoreResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Internal(format!("no randomness for a session: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// A random token, for a form shown before sign-in.
pub fn new_token() -> StoreResult<String> {
    random_token()
}

fn id_of(secret: &str) -> String {
    crate::domain::sha256_hex(secret.as_bytes())
}

/// Starts a session for a user; ended sessions are cleared out on the way.
pub fn start(conn: &mut DbConnection, user_id: uuid::Uuid) -> StoreResult<NewSession> {
    let secret = random_token()?;
    let csrf_token = random_token()?;
    let at = clock_now();
    diesel::delete(sessions::table.filter(sessions::expires_at.le(at))).execute(conn)?;
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(id_of(&secret)),
            sessions::user_id.eq(user_id.to_string()),
            sessions::csrf_token.eq(&csrf_token),
            sessions::created_at.eq(at),
            sessions::last_seen_at.eq(at),
            sessions::expires_at.eq(at + TimeDelta::hours(IDLE_HOURS)),
        ))
        .execute(conn)?;
    Ok(NewSession { secret, csrf_token })
}

/// The person a session's secret belongs to, if the session is live and the account enabled.
/// Each use moves the end of an idle session on, at most once a minute so that reading pages
/// does not turn into writing.
pub fn authenticate(conn: &mut DbConnection, secret: &str) -> StoreResult<Option<SessionUser>> {
    let at = clock_now();
    let id = id_of(secret);
    type Found = (
        String,
        String,
        String,
        String,
        String,
        NaiveDateTime,
        NaiveDateTime,
    );
    let found: Option<Found> = sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(&id))
        .filter(sessions::expires_at.gt(at))
        .filter(users::disabled_at.is_null())
        .select((
            users::id,
            users::name,
            users::email,
            users::role,
            sessions::csrf_token,
            sessions::created_at,
            sessions::last_seen_at,
        ))
        .first(conn)
        .optional()?;
    let Some((user_id, name, email, role, csrf_token, created, last_seen)) = found else {
        return Ok(None);
    };
    if at - last_seen > TimeDelta::minutes(1) {
        let expires = (at + TimeDelta::hours(IDLE_HOURS)).min(created + TimeDelta::days(MAX_DAYS));
        // Bookkeeping: a busy database must not fail the page for it.
        if let Err(error) = diesel::update(sessions::table.filter(sessions::id.eq(&id)))
            .set((
                sessions::last_seen_at.eq(at),
                sessions::expires_at.eq(expires),
            ))
            .execute(conn)
        {
            log::debug!("could not note the use of a session: {error}");
        }
    }
    Ok(Some(SessionUser {
        user_id: parse_stored(&user_id, "users.id")?,
        role: parse_stored(&role, "users.role")?,
        name,
        email,
        csrf_token,
    }))
}

/// Ends the session of a secret (signing out). Ending an ended session changes nothing.
pub fn end(conn: &mut DbConnection, secret: &str) -> StoreResult<()> {
    diesel::delete(sessions::table.filter(sessions::id.eq(id_of(secret)))).execute(conn)?;
    Ok(())
}

/// Ends every session of a user; returns how many there were.
pub fn end_all(conn: &mut DbConnection, user_id: uuid::Uuid) -> StoreResult<usize> {
    Ok(
        diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id.to_string())))
            .execute(conn)?,
    )
}
