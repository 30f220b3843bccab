//! Webhook endpoints, and the deliveries each change of the log puts in the outbox for them.
//!
//! [`on_change`] is called by the history for every change it records, inside the change's
//! own transaction: a change and its deliveries are committed together or not at all.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use super::history::{Action, Entity};
use super::outbox::{Delivery, NewItem};
use super::schema::webhook_endpoints;
use super::{DbConnection, StoreError, StoreResult, Visibility, parse_stored, utc};

/// The kinds of record whose changes are sent, as the event names call them.
const ENTITIES: [&str; 4] = ["decision", "case", "meeting", "link"];
const ACTIONS: [&str; 3] = ["created", "updated", "deleted"];
/// Events that are not a change of a record.
const OTHER_EVENTS: [&str; 2] = ["decision.overdue", "import.completed"];

/// An event an endpoint wants: `decision.updated`, every event of a kind (`case.*`), or all
/// (`*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventPattern(String);

impl EventPattern {
    fn matches(&self, event: &str) -> bool {
        match self.0.strip_suffix(".*") {
            _ if self.0 == "*" => true,
            Some(kind) => event.split_once('.').is_some_and(|(k, _)| k == kind),
            None => self.0 == event,
        }
    }
}

impl FromStr for EventPattern {
    type Err = String;

    fn from_str(input: &str) -> Result<Self, String> {
        let known = input == "*"
            || OTHER_EVENTS.contains(&input)
            || input == "import.*"
            || input.split_once('.').is_some_and(|(kind, action)| {
                ENTITIES.contains(&kind) && (action == "*" || ACTIONS.contains(&action))
            });
        if known {
            Ok(Self(input.to_owned()))
        } else {
            Err(format!(
                "unknown event '{input}': expected one of {}.created, .updated, .deleted or .* \
                 (such as decision.updated or case.*), decision.overdue, import.completed, or * \
                 for all",
                ENTITIES.join(", ")
            ))
        }
    }
}

impl fmt::Display for EventPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EventPattern {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The events' words, as a pattern the OpenAPI document gives clients: the same set that
/// `from_str` takes.
impl utoipa::PartialSchema for EventPattern {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "An event, every event of a kind (`case.*`), or all (`*`).",
            ))
            .pattern(Some(
                r"^(\*|import\.\*|decision\.overdue|import\.completed|(decision|case|meeting|link)\.(created|updated|deleted|\*))$",
            ))
            .examples([serde_json::Value::from("decision.updated")])
            .into()
    }
}

impl ToSchema for EventPattern {}

impl Serialize for EventPattern {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// An endpoint to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// Where deliveries are POSTed: http or https. Loopback and private addresses are refused
    /// unless the operator allows them.
    #[schema(example = "https://arkiv.example.no/vedtakslogg/hook")]
    pub url: String,
    /// The events wanted: `decision.created`, `.updated`, `.deleted` and the same for `case`,
    /// `meeting` and `link`; `decision.overdue` (once for a point and deadline, the first day
    /// after the deadline that it is still open); `import.completed`; `decision.*` for every
    /// event of a kind; `*` for all.
    #[schema(min_items = 1, example = json!(["decision.updated", "case.*"]))]
    pub events: Vec<EventPattern>,
    /// What the endpoint is for, for the admins.
    #[schema(example = "Arkivet")]
    #[serde(default)]
    pub description: Option<String>,
}

/// A registered endpoint, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct Webhook {
    pub id: uuid::Uuid,
    #[schema(example = "https://arkiv.example.no/vedtakslogg/hook")]
    pub url: String,
    #[schema(example = json!(["decision.updated", "case.*"]))]
    pub events: Vec<EventPattern>,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The name of the token that registered it.
    pub created_by: String,
    /// When deliveries stopped because they failed for 24 hours; changes are still queued for
    /// it, and go out when it is enabled again.
    pub disabled_at: Option<DateTime<Utc>>,
    /// Why it was disabled: the last error of the delivery that gave up.
    #[schema(example = "deliveries failed for 24 hours; the last: HTTP 503")]
    pub disabled_reason: Option<String>,
}

/// An endpoint just registered, with its secret: the only time the secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The key deliveries are signed with (Standard Webhooks): HMAC-SHA256, keyed with the
    /// base64-decoded part after `whsec_`. It is not shown again.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
struct EndpointRow {
    id: String,
    url: String,
    events: String,
    description: Option<String>,
    created_at: NaiveDateTime,
    created_by: String,
    disabled_at: Option<NaiveDateTime>,
    disabled_reason: Option<String>,
}

fn events_of(text: &str, id: &str) -> StoreResult<Vec<EventPattern>> {
    let names: Vec<String> = serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("webhook_endpoints.events of {id}: {e}")))?;
    names
        .iter()
        .map(|name| parse_stored(name, "webhook_endpoints.events"))
        .collect()
}

fn to_webhook(row: EndpointRow) -> StoreResult<Webhook> {
    Ok(Webhook {
        events: events_of(&row.events, &row.id)?,
        id: parse_stored(&row.id, "webhook_endpoints.id")?,
        url: row.url,
        description: row.description,
        created_at: utc(row.created_at),
        created_by: row.created_by,
        disabled_at: row.disabled_at.map(utc),
        disabled_reason: row.disabled_reason,
    })
}

/// Registers an endpoint whose URL the caller has checked against the policy; its secret is
/// in the answer and in the database, where signing needs it.
pub fn create(
    conn: &mut DbConnection,
    new: NewWebhook,
    secret: String,
    actor: &str,
) -> StoreResult<IssuedWebhook> {
    if new.events.is_empty() {
        return Err(StoreError::Invalid(
            "events: name at least one event, or * for all".into(),
        ));
    }
    if new.url.chars().count() > 2000 {
        return Err(StoreError::Invalid("url: at most 2000 characters".into()));
    }
    let description = new
        .description
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty());
    let id = uuid::Uuid::new_v4();
    let events = serde_json::to_string(&new.events)
        .map_err(|e| StoreError::Internal(format!("cannot store the events: {e}")))?;
    super::write_transaction(conn, |conn| {
        diesel::insert_into(webhook_endpoints::table)
            .values((
                webhook_endpoints::id.eq(id.to_string()),
                webhook_endpoints::url.eq(&new.url),
                webhook_endpoints::events.eq(&events),
                webhook_endpoints::secret.eq(&secret),
                webhook_endpoints::description.eq(&description),
                webhook_endpoints::created_at.eq(super::now()),
                webhook_endpoints::created_by.eq(actor),
            ))
            .execute(conn)?;
        Ok(IssuedWebhook {
            webhook: get(conn, id)?,
            secret,
        })
    })
}

/// One endpoint.
pub fn get(conn: &mut DbConnection, id: uuid::Uuid) -> StoreResult<Webhook> {
    webhook_endpoints::table
        .find(id.to_string())
        .select(EndpointRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("no webhook with id {id}")))
        .and_then(to_webhook)
}

/// Every endpoint, oldest first.
pub fn list(conn: &mut DbConnection) -> StoreResult<Vec<Webhook>> {
    webhook_endpoints::table
        .select(EndpointRow::as_select())
        .order((webhook_endpoints::created_at, webhook_endpoints::id))
        .load(conn)?
        .into_iter()
        .map(to_webhook)
        .collect()
}

/// Removes an endpoint with its queued deliveries and their log.
pub fn delete(conn: &mut DbConnection, id: uuid::Uuid) -> StoreResult<Webhook> {
    super::write_transaction(conn, |conn| {
        let webhook = get(conn, id)?;
        diesel::delete(webhook_endpoints::table.find(id.to_string())).execute(conn)?;
        Ok(webhook)
    })
}

/// Enables an endpoint that was disabled: what was queued for it, and what gave up, goes out
/// again from `now`, in order, with a fresh 24 hours of retries.
pub fn enable(conn: &mut DbConnection, id: uuid::Uuid, now: NaiveDateTime) -> StoreResult<Webhook> {
    super::write_transaction(conn, |conn| {
        get(conn, id)?;
        diesel::update(webhook_endpoints::table.find(id.to_string()))
            .set((
                webhook_endpoints::disabled_at.eq(None::<NaiveDateTime>),
                webhook_endpoints::disabled_reason.eq(None::<String>),
            ))
            .execute(conn)?;
        super::outbox::requeue_undelivered(conn, &id.to_string(), now)?;
        get(conn, id)
    })
}

/// The newest deliveries to an endpoint, with the log of their attempts.
pub fn deliveries(
    conn: &mut DbConnection,
    id: uuid::Uuid,
    limit: i64,
) -> StoreResult<Vec<Delivery>> {
    get(conn, id)?;
    super::outbox::newest(conn, super::outbox::Of::Endpoint(&id.to_string()), limit)
}

/// Sends a delivery again from `now` (also one that went out): with the same `webhook-id`, so
/// that a receiver that has it already can tell.
pub fn redeliver(
    conn: &mut DbConnection,
    id: uuid::Uuid,
    delivery: uuid::Uuid,
    now: NaiveDateTime,
) -> StoreResult<Delivery> {
    super::write_transaction(conn, |conn| {
        get(conn, id)?;
        super::outbox::requeue(conn, &id.to_string(), &delivery.to_string(), now)
    })
}

/// The event name of a change, for the kinds of record that have events.
fn event_of(entity: Entity, action: Action) -> Option<String> {
    let kind = match entity {
        Entity::Decision => "decision",
        Entity::Case => "case",
        Entity::Meeting => "meeting",
        Entity::Link => "link",
        Entity::Committee | Entity::Owner => return None,
    };
    let action = match action {
        Action::Created => "created",
        Action::Updated => "updated",
        Action::Deleted => "deleted",
    };
    Some(format!("{kind}.{action}"))
}

/// The record as the API shows it, read inside the change's transaction; a deleted record has
/// only its id.
fn api_form(
    conn: &mut DbConnection,
    entity: Entity,
    id: &str,
    action: Action,
) -> StoreResult<Value> {
    if action == Action::Deleted {
        return Ok(json!({ "id": id }));
    }
    let column = "history.entity_id";
    match entity {
        Entity::Decision => super::history::snapshot(&super::decisions::get(
            conn,
            parse_stored(id, column)?,
            Visibility::All,
        )?),
        Entity::Case => super::history::snapshot(&super::cases::get(
            conn,
            parse_stored(id, column)?,
            Visibility::All,
        )?),
        Entity::Meeting => super::history::snapshot(&super::meetings::get(
            conn,
            parse_stored(id, column)?,
            Visibility::All,
        )?),
        Entity::Link => super::history::snapshot(&super::links::get(
            conn,
            parse_stored(id, column)?,
            Visibility::All,
        )?),
        Entity::Committee | Entity::Owner => Ok(json!({ "id": id })),
    }
}

/// A change as the history records it, for [`on_change`].
pub(crate) struct ChangeEvent<'a> {
    pub entity: Entity,
    pub entity_id: &'a str,
    pub action: Action,
    pub at: NaiveDateTime,
    pub changes: &'a Map<String, Value>,
}

/// Queues a delivery of a change to every endpoint that wants its event, in the change's
/// transaction. Endpoints that are disabled get theirs too, to be sent when enabled again.
pub(crate) fn on_change(conn: &mut DbConnection, change: ChangeEvent<'_>) -> StoreResult<()> {
    let Some(event) = event_of(change.entity, change.action) else {
        return Ok(());
    };
    queue_event(
        conn,
        &event,
        change.entity_id,
        change.at,
        Some(change.changes),
        |conn| api_form(conn, change.entity, change.entity_id, change.action),
    )
    .map(|_| ())
}

/// Queues `import.completed`, with the import as `GET /imports` shows it.
pub(crate) fn on_import(
    conn: &mut DbConnection,
    id: uuid::Uuid,
    at: NaiveDateTime,
) -> StoreResult<()> {
    let record = id.to_string();
    queue_event(conn, "import.completed", &record, at, None, |conn| {
        let newest = super::imports::list(conn, None, 1)?;
        let import = newest
            .iter()
            .find(|import| import.id == id)
            .ok_or_else(|| StoreError::Internal(format!("import {id} is not the newest")))?;
        super::history::snapshot(import)
    })
    .map(|_| ())
}

/// Queues `decision.overdue` for a point whose deadline has passed; returns the id of one
/// delivery, none when no endpoint wants it.
pub(crate) fn on_overdue(
    conn: &mut DbConnection,
    decision: &str,
    at: NaiveDateTime,
) -> StoreResult<Option<String>> {
    queue_event(conn, "decision.overdue", decision, at, None, |conn| {
        api_form(conn, Entity::Decision, decision, Action::Updated)
    })
}

/// The ids of the endpoints that want `event`.
pub(crate) fn endpoints_wanting(conn: &mut DbConnection, event: &str) -> StoreResult<Vec<String>> {
    let endpoints: Vec<(String, String)> = webhook_endpoints::table
        .select((webhook_endpoints::id, webhook_endpoints::events))
        .load(conn)?;
    let mut wanted = Vec::new();
    for (id, events) in endpoints {
        if events_of(&events, &id)?.iter().any(|p| p.matches(event)) {
            wanted.push(id);
        }
    }
    Ok(wanted)
}

/// Queues an event about a record to the endpoints that want it, with the data `data` reads
/// (only when one does); returns the id of one delivery.
fn queue_event(
    conn: &mut DbConnection,
    event: &str,
    record: &str,
    at: NaiveDateTime,
    changes: Option<&Map<String, Value>>,
    data: impl FnOnce(&mut DbConnection) -> StoreResult<Value>,
) -> StoreResult<Option<String>> {
    let wanted = endpoints_wanting(conn, event)?;
    if wanted.is_empty() {
        return Ok(None);
    }
    let mut payload = json!({
        "type": event,
        "timestamp": utc(at),
        "data": data(conn)?,
    });
    if let Some(changes) = changes {
        payload["changes"] = Value::Object(changes.clone());
    }
    let payload = payload.to_string();
    let mut first = None;
    for endpoint in wanted {
        let id = super::outbox::push(
            conn,
            NewItem {
                channel: "webhook",
                queue: format!("{endpoint}:{record}"),
                endpoint_id: Some(endpoint),
                event: event.to_owned(),
                idempotency_key: None,
                recipient: None,
                payload: payload.clone(),
                at,
            },
        )?;
        first.get_or_insert(id);
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_their_events() {
        let exact: EventPattern = "decision.updated".parse().unwrap();
        assert!(exact.matches("decision.updated"));
        assert!(!exact.matches("decision.created"));
        let kind: EventPattern = "case.*".parse().unwrap();
        assert!(kind.matches("case.deleted"));
        assert!(!kind.matches("decision.deleted"));
        assert!("*".parse::<EventPattern>().unwrap().matches("link.created"));
        let overdue: EventPattern = "decision.overdue".parse().unwrap();
        assert!(overdue.matches("decision.overdue") && !overdue.matches("decision.updated"));
        assert!("import.completed".parse::<EventPattern>().is_ok());
        for bad in ["decision", "decision.closed", "owner.updated", "", "*.*"] {
            assert!(bad.parse::<EventPattern>().is_err(), "{bad}");
        }
    }
}
