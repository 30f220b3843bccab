//! The owner registry: the bodies, parties and people that own actions, with every spelling
//! of their names, so that "Analysegruppa" and "analysegruppen" are one owner.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::history::{Action, Change, Entity};
use super::schema::{decision_owners, decisions, owner_aliases, owners};
use super::{DbConnection, StoreError, StoreResult, now, parse_stored, utc};
use crate::domain::{NonEmptyText, OwnerId, OwnerKind, OwnerName, fold};

#[derive(Queryable, Selectable)]
#[diesel(table_name = owners)]
struct OwnerRow {
    id: String,
    name: String,
    kind: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    updated_by: String,
    version: i32,
}

/// An owner of actions: a body (AU, Sekretariatet, a group, a fagråd), a party (Kommunene,
/// St. Olavs hospital) or a person, with the other spellings it is known by.
#[derive(Debug, Serialize, ToSchema)]
pub struct Owner {
    pub id: OwnerId,
    #[schema(example = "Analysegruppen")]
    pub name: String,
    pub kind: OwnerKind,
    /// Other spellings that resolve to this owner, such as "Analysegruppa".
    #[schema(example = json!(["Analysegruppa", "Analysegruppe"]))]
    pub aliases: Vec<String>,
    /// Increases with every change.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The name of the token that made the last change.
    pub updated_by: String,
}

/// An owner to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOwner {
    #[schema(value_type = OwnerName, example = "Kvalitetsgruppen")]
    pub name: NonEmptyText,
    pub kind: OwnerKind,
    /// Other spellings, matched without regard to case or spacing.
    #[serde(default)]
    #[schema(value_type = Vec<OwnerName>, example = json!(["Kvalitetsgruppa"]))]
    pub aliases: Vec<NonEmptyText>,
}

/// Changes to an owner. `aliases`, when given, replaces the list of other spellings.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnerChanges {
    #[schema(value_type = OwnerName)]
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    pub name: Option<NonEmptyText>,
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    #[schema(nullable = false)]
    pub kind: Option<OwnerKind>,
    #[schema(value_type = Vec<OwnerName>)]
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    pub aliases: Option<Vec<NonEmptyText>>,
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
                kind: parse_stored(&row.kind, "owners.kind")?,
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

fn get_by_id(conn: &mut DbConnection, id: OwnerId) -> StoreResult<Owner> {
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

/// The longest owner name or alias; names are indexed, and no body's name is longer.
const MAX_NAME_CHARS: usize = 200;

/// Replaces the aliases of an owner with its name and `aliases`, refusing spellings that
/// belong to another owner.
fn set_aliases(
    conn: &mut DbConnection,
    id: OwnerId,
    name: &str,
    aliases: &[NonEmptyText],
) -> StoreResult<()> {
    let id_text = id.to_string();
    let mut spellings: Vec<(String, &str)> = Vec::new();
    for spelling in std::iter::once(name).chain(aliases.iter().map(NonEmptyText::as_str)) {
        let key = fold(spelling);
        if spelling.chars().count() > MAX_NAME_CHARS {
            return Err(StoreError::Invalid(format!(
                "owner names and aliases are at most {MAX_NAME_CHARS} characters"
            )));
        }
        if key.is_empty() {
            return Err(StoreError::Invalid(format!(
                "the owner name or alias '{spelling}' has no letters"
            )));
        }
        if !spellings.iter().any(|(k, _)| *k == key) {
            spellings.push((key, spelling));
        }
    }
    let keys: Vec<&str> = spellings.iter().map(|(k, _)| k.as_str()).collect();
    let taken: Vec<(String, String)> = owner_aliases::table
        .inner_join(owners::table)
        .filter(super::one_of(
            super::backend_of(conn),
            "owner_aliases.alias_key",
            keys.iter().map(|key| (*key).to_owned()),
        ))
        .filter(owner_aliases::owner_id.ne(&id_text))
        .select((owner_aliases::alias, owners::name))
        .load(conn)?;
    if let Some((alias, owner)) = taken.first() {
        return Err(StoreError::Conflict(format!(
            "'{alias}' is already a name or alias of the owner {owner}"
        )));
    }
    diesel::delete(owner_aliases::table.filter(owner_aliases::owner_id.eq(&id_text)))
        .execute(conn)?;
    for (key, spelling) in &spellings {
        diesel::insert_into(owner_aliases::table)
            .values((
                owner_aliases::alias_key.eq(key),
                owner_aliases::owner_id.eq(&id_text),
                owner_aliases::alias.eq(*spelling),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn create(conn: &mut DbConnection, new: NewOwner, actor: &str) -> StoreResult<Owner> {
    super::write_transaction(conn, |conn| {
        let id = OwnerId::new();
        let at = now();
        diesel::insert_into(owners::table)
            .values((
                owners::id.eq(id.to_string()),
                owners::name.eq(new.name.as_str()),
                owners::kind.eq(new.kind.as_str()),
                owners::created_at.eq(at),
                owners::updated_at.eq(at),
                owners::updated_by.eq(actor),
            ))
            .execute(conn)?;
        set_aliases(conn, id, new.name.as_str(), &new.aliases)?;
        let created = get_by_id(conn, id)?;
        Change::new(
            Entity::Owner,
            id,
            created.version,
            Action::Created,
            actor,
            at,
        )
        .between(None, &created)?
        .record(conn)?;
        Ok(created)
    })
}

pub fn update(
    conn: &mut DbConnection,
    key: &str,
    changes: OwnerChanges,
    actor: &str,
) -> StoreResult<Owner> {
    super::write_transaction(conn, |conn| {
        let current = get(conn, key)?;
        let at = now();
        let name = changes
            .name
            .as_ref()
            .map_or(current.name.as_str(), NonEmptyText::as_str)
            .to_owned();
        let kind = changes.kind.unwrap_or(current.kind);
        diesel::update(owners::table.filter(owners::id.eq(current.id.to_string())))
            .set((
                owners::name.eq(&name),
                owners::kind.eq(kind.as_str()),
                owners::updated_at.eq(at),
                owners::updated_by.eq(actor),
                owners::version.eq(owners::version + 1),
            ))
            .execute(conn)?;
        let aliases = match changes.aliases {
            Some(aliases) => aliases,
            None => current
                .aliases
                .iter()
                .filter_map(|a| a.parse().ok())
                .collect(),
        };
        set_aliases(conn, current.id, &name, &aliases)?;
        if name != current.name {
            // The owner's name is part of the search text of every point it owns.
            let owned: Vec<String> = decision_owners::table
                .filter(decision_owners::owner_id.eq(current.id.to_string()))
                .select(decision_owners::decision_id)
                .load(conn)?;
            super::decisions::refresh_search_text(conn, &owned)?;
            super::decisions::touch(conn, &owned)?;
        }
        let updated = get_by_id(conn, current.id)?;
        Change::new(
            Entity::Owner,
            current.id,
            updated.version,
            Action::Updated,
            actor,
            at,
        )
        .between(Some(&current), &updated)?
        .record(conn)?;
        Ok(updated)
    })
}

/// Adds one spelling to an owner's aliases and keeps those it has. Inside the write's turn,
/// so that two people adding spellings at once both keep theirs.
pub fn add_alias(
    conn: &mut DbConnection,
    key: &str,
    alias: NonEmptyText,
    actor: &str,
) -> StoreResult<Owner> {
    super::write_transaction(conn, |conn| {
        let current = get(conn, key)?;
        let mut aliases: Vec<NonEmptyText> = current
            .aliases
            .iter()
            .filter_map(|a| a.parse().ok())
            .collect();
        aliases.push(alias);
        let changes = OwnerChanges {
            aliases: Some(aliases),
            ..OwnerChanges::default()
        };
        update(conn, &current.id.to_string(), changes, actor)
    })
}

/// Deletes an owner that owns no decision point, leaving a tombstone and its history; its
/// name and aliases are free for another owner.
pub fn delete(conn: &mut DbConnection, key: &str, actor: &str) -> StoreResult<()> {
    super::write_transaction(conn, |conn| {
        let owner = get(conn, key)?;
        let owned: i64 = decision_owners::table
            .inner_join(decisions::table)
            .filter(decision_owners::owner_id.eq(owner.id.to_string()))
            .filter(decisions::deleted_at.is_null())
            .count()
            .get_result(conn)?;
        if owned > 0 {
            return Err(StoreError::Conflict(format!(
                "{} owns {owned} decision point(s); assign them to another owner first",
                owner.name
            )));
        }
        let at = now();
        diesel::delete(
            owner_aliases::table.filter(owner_aliases::owner_id.eq(owner.id.to_string())),
        )
        .execute(conn)?;
        diesel::update(owners::table.filter(owners::id.eq(owner.id.to_string())))
            .set((
                owners::deleted_at.eq(at),
                owners::updated_at.eq(at),
                owners::updated_by.eq(actor),
                owners::version.eq(owners::version + 1),
            ))
            .execute(conn)?;
        Change::new(
            Entity::Owner,
            owner.id,
            owner.version + 1,
            Action::Deleted,
            actor,
            at,
        )
        .record(conn)
    })
}
