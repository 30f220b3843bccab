//! Documents uploaded on the import page and previewed, waiting for the person to confirm them:
//! the confirmation names the pending import instead of sending the file again. Each belongs to
//! the account that uploaded it and expires after [`LIFETIME_MINUTES`]; saving one deletes the
//! expired ones and the person's oldest beyond [`MAX_PER_USER`], so the table stays small.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use uuid::Uuid;

use super::schema::pending_imports;
use super::{DbConnection, StoreResult, clock_now, parse_stored};

/// How long a preview can be confirmed.
pub const LIFETIME_MINUTES: i64 = 60;
/// Previews one person may have waiting at once (a few tabs); the oldest go first.
pub const MAX_PER_USER: usize = 5;

/// A document to keep until it is confirmed.
pub struct NewPendingImport<'a> {
    pub user_id: Uuid,
    pub document: &'a [u8],
    pub content_sha256: &'a str,
    pub file_name: &'a str,
    /// `notice` or `minutes` as the person chose; `None` reads it from the document.
    pub kind: Option<&'a str>,
}

/// A document waiting to be confirmed.
#[derive(Debug)]
pub struct PendingImport {
    pub id: Uuid,
    pub document: Vec<u8>,
    pub content_sha256: String,
    pub file_name: String,
    pub kind: Option<String>,
    pub created_at: NaiveDateTime,
}

/// What a confirmation finds under its id.
#[derive(Debug)]
pub enum Lookup {
    Ready(PendingImport),
    /// The person's own, but older than [`LIFETIME_MINUTES`].
    Expired,
    /// No such id, or another person's (which is not told apart: it is none of their business).
    Unknown,
}

fn expiry_cutoff() -> NaiveDateTime {
    clock_now() - TimeDelta::minutes(LIFETIME_MINUTES)
}

/// Keeps a document for confirmation; its id.
pub fn save(conn: &mut DbConnection, new: NewPendingImport<'_>) -> StoreResult<Uuid> {
    let user = new.user_id.to_string();
    diesel::delete(pending_imports::table.filter(pending_imports::created_at.lt(expiry_cutoff())))
        .execute(conn)?;
    let older: Vec<String> = pending_imports::table
        .filter(pending_imports::user_id.eq(&user))
        .order(pending_imports::created_at.desc())
        .select(pending_imports::id)
        .offset(MAX_PER_USER as i64 - 1)
        .load(conn)?;
    if !older.is_empty() {
        diesel::delete(pending_imports::table.filter(pending_imports::id.eq_any(&older)))
            .execute(conn)?;
    }
    let id = Uuid::new_v4();
    diesel::insert_into(pending_imports::table)
        .values((
            pending_imports::id.eq(id.to_string()),
            pending_imports::user_id.eq(&user),
            pending_imports::document.eq(new.document),
            pending_imports::content_sha256.eq(new.content_sha256),
            pending_imports::file_name.eq(new.file_name),
            pending_imports::kind.eq(new.kind),
            pending_imports::created_at.eq(clock_now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The pending import `id` of this person, if it is theirs and still live.
pub fn find(conn: &mut DbConnection, id: Uuid, user_id: Uuid) -> StoreResult<Lookup> {
    type Row = (
        String,
        Vec<u8>,
        String,
        String,
        Option<String>,
        NaiveDateTime,
    );
    let row: Option<Row> = pending_imports::table
        .filter(pending_imports::id.eq(id.to_string()))
        .filter(pending_imports::user_id.eq(user_id.to_string()))
        .select((
            pending_imports::id,
            pending_imports::document,
            pending_imports::content_sha256,
            pending_imports::file_name,
            pending_imports::kind,
            pending_imports::created_at,
        ))
        .first(conn)
        .optional()?;
    let Some((stored_id, document, content_sha256, file_name, kind, created_at)) = row else {
        return Ok(Lookup::Unknown);
    };
    if created_at < expiry_cutoff() {
        return Ok(Lookup::Expired);
    }
    Ok(Lookup::Ready(PendingImport {
        id: parse_stored(&stored_id, "pending_imports.id")?,
        document,
        content_sha256,
        file_name,
        kind,
        created_at,
    }))
}

/// Removes a pending import of this person (once confirmed); whether it was there, so that
/// of two confirmations of the same preview only one imports.
pub fn take(conn: &mut DbConnection, id: Uuid, user_id: Uuid) -> StoreResult<bool> {
    let removed = diesel::delete(
        pending_imports::table
            .filter(pending_imports::id.eq(id.to_string()))
            .filter(pending_imports::user_id.eq(user_id.to_string())),
    )
    .execute(conn)?;
    Ok(removed > 0)
}
