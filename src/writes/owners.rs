//! Writes of the owner registry: every spelling belongs to one owner, and what a new name
//! ripples into (the search text of the points it owns).

use serde::Deserialize;
use utoipa::ToSchema;

use super::ripples;
use crate::domain::{NonEmptyText, OwnerId, OwnerKind, OwnerName, fold};
use crate::store::history::{Action, Change, Entity};
use crate::store::owners::{self as rows, NewOwnerRow, Owner, OwnerRowChanges};
use crate::store::{self, DbConnection, StoreError, StoreResult, decisions, now};

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
    let keys: Vec<String> = spellings.iter().map(|(k, _)| k.clone()).collect();
    if let Some((alias, owner)) = rows::spellings_taken(conn, &keys, id)?.first() {
        return Err(StoreError::Conflict(format!(
            "'{alias}' is already a name or alias of the owner {owner}"
        )));
    }
    rows::replace_spellings(conn, id, &spellings)
}

pub fn create(conn: &mut DbConnection, new: NewOwner, actor: &str) -> StoreResult<Owner> {
    store::write_transaction(conn, |conn| {
        let id = OwnerId::new();
        let at = now();
        rows::insert(
            conn,
            &NewOwnerRow {
                id,
                name: new.name.as_str(),
                kind: new.kind,
                created_at: at,
                updated_at: at,
                updated_by: actor,
            },
        )?;
        set_aliases(conn, id, new.name.as_str(), &new.aliases)?;
        let created = rows::get_by_id(conn, id)?;
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
    store::write_transaction(conn, |conn| {
        let current = rows::get(conn, key)?;
        let at = now();
        let name = changes
            .name
            .as_ref()
            .map_or(current.name.as_str(), NonEmptyText::as_str)
            .to_owned();
        rows::change(
            conn,
            current.id,
            &OwnerRowChanges {
                name: &name,
                kind: changes.kind.unwrap_or(current.kind),
                updated_at: at,
                updated_by: actor,
            },
        )?;
        let aliases = match changes.aliases {
            Some(aliases) => aliases,
            None => current
                .aliases
                .iter()
                .filter_map(|a| a.parse().ok())
                .collect(),
        };
        set_aliases(conn, current.id, &name, &aliases)?;
        let updated = rows::get_by_id(conn, current.id)?;
        ripples::owner_updated(conn, &current, &updated)?;
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

/// Adds a spelling to an owner's aliases, inside the writers' turn, so that two editors who
/// add spellings at once both keep theirs.
pub fn add_alias(
    conn: &mut DbConnection,
    key: &str,
    alias: NonEmptyText,
    actor: &str,
) -> StoreResult<Owner> {
    store::write_transaction(conn, |conn| {
        let current = rows::get(conn, key)?;
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
    store::write_transaction(conn, |conn| {
        let owner = rows::get(conn, key)?;
        let owned = decisions::count_owned_by(conn, owner.id)?;
        if owned > 0 {
            return Err(StoreError::Conflict(format!(
                "{} owns {owned} decision point(s); assign them to another owner first",
                owner.name
            )));
        }
        let at = now();
        rows::mark_deleted(conn, owner.id, actor, at)?;
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
