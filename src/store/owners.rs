//! The owner registry: the bodies, parties and people that own actions, with every spelling
//! of their names, so that "Analysegruppa" and "analysegruppen" are one owner.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{owner_aliases, owners};
use super::{DbConnection, StoreError, StoreResult, parse_stored, utc};
use crate::domain::{OwnerId, OwnerKind, fold};

#[derive(Queryable, Selectable)]
#[diesel(table_name = owners)]
struct OwnerRow {
    id: String,
    name: String,
    kind: OwnerKind,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    updated_by: String,
    version: i32,
}

/// An owner of actions: a body (AU, Sekretariatet, a group, a fagråd), a party (Kommunene,
/// St. Olavs hospital) or a person, with the other spellings it is known by.
#[derive(Debug, Serialize)]
pub struct Owner {
    pub id: OwnerId,
    pub name: String,
    pub kind: OwnerKind,
    /// Other spellings that resolve to this owner, such as "Analysegruppa".
    pub aliases: Vec<String>,
    /// Increases with every change.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The name of the token that made the last change.
    pub updated_by: String,
}

fn load(conn: &mut DbConnection, rows: Vec<OwnerRow>) -> StoreResult<Vec<Owner>> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut aliases: HashMap<String, Vec<String>> = HashMap::new();
    let alias_rows: Vec<(String, String)> = owner_aliases::table
        .filter(super::one_of(
            super::backend_of(conn),
            "owner_aliases.owner_id",
            ids.iter().map(|id| (*id).to_owned()),
        ))
        .select((owner_aliases::owner_id, owner_aliases::alias))
        .load(conn)?;
    for (owner_id, alias) in alias_rows {
        aliases.entry(owner_id).or_default().push(alias);
    }
    rows.into_iter()
        .map(|row| {
            let mut known = aliases.remove(&row.id).unwrap_or_default();
            known.retain(|alias| fold(alias) != fold(&row.name));
            known.sort_by_cached_key(|alias| fold(alias));
            Ok(Owner {
                id: parse_stored(&row.id, "owners.id")?,
                kind: row.kind,
                name: row.name,
                aliases: known,
                version: row.version,
                created_at: utc(row.created_at),
                updated_at: utc(row.updated_at),
                updated_by: row.updated_by,
            })
        })
        .collect()
}

/// Every owner, by name without regard to case (sorted here, so that both backends agree).
pub fn list(conn: &mut DbConnection) -> StoreResult<Vec<Owner>> {
    let rows = owners::table
        .filter(owners::deleted_at.is_null())
        .select(OwnerRow::as_select())
        .load(conn)?;
    let mut owners = load(conn, rows)?;
    owners.sort_by_cached_key(|owner| (fold(&owner.name), owner.name.clone()));
    Ok(owners)
}

/// Finds an owner by id, name or alias.
pub fn get(conn: &mut DbConnection, key: &str) -> StoreResult<Owner> {
    let id = resolve(conn, key)?
        .ok_or_else(|| StoreError::NotFound(format!("no owner is known as '{key}'")))?;
    get_by_id(conn, id)
}

pub(crate) fn get_by_id(conn: &mut DbConnection, id: OwnerId) -> StoreResult<Owner> {
    let row = owners::table
        .filter(owners::id.eq(id.to_string()))
        .filter(owners::deleted_at.is_null())
        .select(OwnerRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("no owner with id {id}")))?;
    Ok(load(conn, vec![row])?.remove(0))
}

/// The owner that an id, a name or an alias stands for, if any.
pub(crate) fn resolve(conn: &mut DbConnection, key: &str) -> StoreResult<Option<OwnerId>> {
    let id: Option<String> = match key.parse::<OwnerId>() {
        Ok(id) => owners::table
            .filter(owners::id.eq(id.to_string()))
            .filter(owners::deleted_at.is_null())
            .select(owners::id)
            .first(conn)
            .optional()?,
        Err(_) => owner_aliases::table
            .filter(owner_aliases::alias_key.eq(fold(key)))
            .select(owner_aliases::owner_id)
            .first(conn)
            .optional()?,
    };
    id.map(|id| parse_stored(&id, "owners.id")).transpose()
}

/// Like [`resolve`], but an unknown owner is an error that says how to register it; `field`
/// prefixes its message.
pub(crate) fn resolve_known(
    conn: &mut DbConnection,
    key: &str,
    field: &str,
) -> StoreResult<OwnerId> {
    resolve(conn, key)?.ok_or_else(|| {
        StoreError::Invalid(format!(
            "{field}unknown owner '{key}': register it with POST /api/v1/owners, or add the spelling as an alias"
        ))
    })
}

/// The row of a new owner.
#[derive(Insertable)]
#[diesel(table_name = owners)]
pub(crate) struct NewOwnerRow<'a> {
    pub id: OwnerId,
    pub name: &'a str,
    pub kind: OwnerKind,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub updated_by: &'a str,
}

/// The columns a change of an owner writes.
#[derive(AsChangeset)]
#[diesel(table_name = owners)]
pub(crate) struct OwnerRowChanges<'a> {
    pub name: &'a str,
    pub kind: OwnerKind,
    pub updated_at: NaiveDateTime,
    pub updated_by: &'a str,
}

pub(crate) fn insert(conn: &mut DbConnection, row: &NewOwnerRow<'_>) -> StoreResult<()> {
    diesel::insert_into(owners::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Writes a change of an owner as its next version.
pub(crate) fn change(
    conn: &mut DbConnection,
    id: OwnerId,
    changes: &OwnerRowChanges<'_>,
) -> StoreResult<()> {
    diesel::update(owners::table.filter(owners::id.eq(id)))
        .set((changes, owners::version.eq(owners::version + 1)))
        .execute(conn)?;
    Ok(())
}

/// Makes an owner a tombstone, as its next version, and frees its spellings.
pub(crate) fn mark_deleted(
    conn: &mut DbConnection,
    id: OwnerId,
    actor: &str,
    at: NaiveDateTime,
) -> StoreResult<()> {
    diesel::delete(owner_aliases::table.filter(owner_aliases::owner_id.eq(id))).execute(conn)?;
    diesel::update(owners::table.filter(owners::id.eq(id)))
        .set((
            owners::deleted_at.eq(at),
            owners::updated_at.eq(at),
            owners::updated_by.eq(actor),
            owners::version.eq(owners::version + 1),
        ))
        .execute(conn)?;
    Ok(())
}

/// Of these folded spellings, those that belong to another owner than `except`: (spelling,
/// that owner's name).
pub(crate) fn spellings_taken(
    conn: &mut DbConnection,
    keys: &[String],
    except: OwnerId,
) -> StoreResult<Vec<(String, String)>> {
    Ok(owner_aliases::table
        .inner_join(owners::table)
        .filter(super::one_of(
            super::backend_of(conn),
            "owner_aliases.alias_key",
            keys.iter().cloned(),
        ))
        .filter(owner_aliases::owner_id.ne(except))
        .select((owner_aliases::alias, owners::name))
        .load(conn)?)
}

/// Replaces an owner's spellings with these (folded key, spelling) pairs.
pub(crate) fn replace_spellings(
    conn: &mut DbConnection,
    id: OwnerId,
    spellings: &[(String, &str)],
) -> StoreResult<()> {
    diesel::delete(owner_aliases::table.filter(owner_aliases::owner_id.eq(id))).execute(conn)?;
    for (key, spelling) in spellings {
        diesel::insert_into(owner_aliases::table)
            .values((
                owner_aliases::alias_key.eq(key),
                owner_aliases::owner_id.eq(id),
                owner_aliases::alias.eq(*spelling),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Fills each owner's row with the deadline of its point's open work again, as migration
/// 000017 first did: for a log loaded in bulk with the database's triggers off (the benchmark's
/// generator on PostgreSQL).
pub fn refill_open_work(conn: &mut DbConnection) -> StoreResult<()> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute(
        "UPDATE decision_owners SET work_deadline = (\
         SELECT CASE WHEN d.status IN ('open', 'in_progress') AND d.deleted_at IS NULL \
         THEN COALESCE(d.deadline, '9999-12-31') END \
         FROM decisions d WHERE d.id = decision_owners.decision_id)",
    )?;
    Ok(())
}
