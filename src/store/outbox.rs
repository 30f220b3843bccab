//! The outbox: what the service sends out (webhook deliveries), written in the transaction
//! that decided it and sent afterwards by a worker (`notify::worker`).
//!
//! A worker takes due items for a while (a lease) and reports how each went. Items of one
//! queue (a webhook endpoint and one record) go out one at a time in the order they were
//! written. On PostgreSQL workers of several instances take items with
//! `FOR UPDATE SKIP LOCKED`, so that each item is taken by one; SQLite has one writer at a time.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

use super::schema::{outbox, outbox_attempts, webhook_endpoints};
use super::{DbConnection, StoreError, StoreResult, backend_of, parse_stored, utc};
use crate::config::Backend;

/// An item to put in the outbox.
pub(crate) struct NewItem {
    pub channel: &'static str,
    pub queue: String,
    pub endpoint_id: Option<String>,
    pub event: String,
    pub idempotency_key: Option<String>,
    pub recipient: Option<String>,
    pub payload: String,
    pub at: NaiveDateTime,
}

/// Writes an item, due at once; returns its id.
pub(crate) fn push(conn: &mut DbConnection, item: NewItem) -> StoreResult<String> {
    let id = uuid::Uuid::new_v4().to_string();
    push_with_id(conn, &id, item)?;
    Ok(id)
}

/// Writes an item with an id the caller chose (to refer to it in the same transaction).
pub(crate) fn push_with_id(conn: &mut DbConnection, id: &str, item: NewItem) -> StoreResult<()> {
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(id),
            outbox::channel.eq(item.channel),
            outbox::endpoint_id.eq(item.endpoint_id),
            outbox::event.eq(item.event),
            outbox::queue.eq(item.queue),
            outbox::idempotency_key.eq(item.idempotency_key),
            outbox::recipient.eq(item.recipient),
            outbox::payload.eq(item.payload),
            outbox::status.eq("pending"),
            outbox::attempts.eq(0),
            outbox::created_at.eq(item.at),
            outbox::due_since.eq(item.at),
            outbox::next_attempt_at.eq(item.at),
        ))
        .execute(conn)?;
    Ok(())
}

/// An item a worker has taken, with what it needs to send it.
#[derive(Debug, Clone, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub channel: String,
    #[diesel(sql_type = Text)]
    pub event: String,
    #[diesel(sql_type = Text)]
    pub payload: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub recipient: Option<String>,
    /// The endpoint's URL, for a webhook.
    #[diesel(sql_type = Nullable<Text>)]
    pub url: Option<String>,
    /// The endpoint's secret, for a webhook.
    #[diesel(sql_type = Nullable<Text>)]
    pub secret: Option<String>,
}

/// The due items that are first in their queue, oldest first. `{now}` is bound twice.
const DUE: &str = "SELECT o.id, o.channel, o.event, o.payload, o.recipient, e.url, e.secret \
     FROM outbox o LEFT JOIN webhook_endpoints e ON e.id = o.endpoint_id \
     WHERE o.status = 'pending' AND o.next_attempt_at <= {now} \
       AND (o.lease_until IS NULL OR o.lease_until <= {now}) \
       AND (o.channel <> 'webhook' OR (e.id IS NOT NULL AND e.disabled_at IS NULL)) \
       AND NOT EXISTS (SELECT 1 FROM outbox p \
                       WHERE p.queue = o.queue AND p.status = 'pending' AND p.seq < o.seq) \
     ORDER BY o.seq LIMIT {limit}";

/// Runs outbox work in a transaction of its own: on PostgreSQL an ordinary one (row locks
/// keep workers apart, and the log's writers are not held up); on SQLite one that takes the
/// write lock from its start, since a read that turns into a write may otherwise fail.
fn transaction<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> StoreResult<T>,
) -> StoreResult<T> {
    match backend_of(conn) {
        Backend::Postgres => conn.transaction(f),
        Backend::Sqlite => super::write_transaction(conn, f),
    }
}

/// Takes up to `limit` due items until `now + lease`; they are sent once each unless a worker
/// dies with them, when another takes them after the lease.
pub fn claim(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease: TimeDelta,
    limit: i64,
) -> StoreResult<Vec<Claimed>> {
    // A look without locks first: an idle worker, looking twice a second, must not take the
    // write lock (SQLite) or open a transaction each time.
    if due(conn, now, 1)?.is_empty() {
        return Ok(Vec::new());
    }
    transaction(conn, |conn| {
        let claimed: Vec<Claimed> = match conn {
            DbConnection::Postgres(pg) => diesel::sql_query(format!(
                "{} FOR UPDATE OF o SKIP LOCKED",
                DUE.replace("{now}", "$1")
                    .replace("{limit}", &limit.to_string())
            ))
            .bind::<Timestamp, _>(now)
            .load(pg)?,
            DbConnection::Sqlite(_) => due(conn, now, limit)?,
        };
        for item in &claimed {
            diesel::update(outbox::table.filter(outbox::id.eq(&item.id)))
                .set((
                    outbox::lease_until.eq(now + lease),
                    outbox::attempts.eq(outbox::attempts + 1),
                ))
                .execute(conn)?;
        }
        Ok(claimed)
    })
}

/// The due items, without taking them.
fn due(conn: &mut DbConnection, now: NaiveDateTime, limit: i64) -> StoreResult<Vec<Claimed>> {
    let sql = |placeholder: &str| {
        DUE.replace("{now}", placeholder)
            .replace("{limit}", &limit.to_string())
    };
    Ok(match conn {
        DbConnection::Postgres(pg) => diesel::sql_query(sql("$1"))
            .bind::<Timestamp, _>(now)
            .load(pg)?,
        DbConnection::Sqlite(sqlite) => diesel::sql_query(sql("?1"))
            .bind::<Timestamp, _>(now)
            .load(sqlite)?,
    })
}

/// How a try to send went.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The HTTP status the receiver answered, when it answered.
    pub response_status: Option<i32>,
    /// Why it failed; `None` when it went through.
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// When to try again after a failure.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// The wait after the first failure; it doubles with each one after.
    pub first_delay: TimeDelta,
    pub max_delay: TimeDelta,
    /// How long after it became due an item is given up, and its endpoint disabled.
    pub give_up_after: TimeDelta,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            first_delay: TimeDelta::seconds(5),
            max_delay: TimeDelta::hours(1),
            give_up_after: TimeDelta::hours(24),
        }
    }
}

impl RetryPolicy {
    /// The wait after the `attempts`-th failed attempt.
    pub fn delay(&self, attempts: i32) -> TimeDelta {
        let doublings = u32::try_from(attempts.saturating_sub(1))
            .unwrap_or(0)
            .min(30);
        self.first_delay
            .checked_mul(1 << doublings)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }
}

/// Records how a try to send an item went: sent, to be tried again later, or given up (and
/// its webhook endpoint disabled, with the reason).
pub fn finish(
    conn: &mut DbConnection,
    id: &str,
    attempt: Attempt,
    now: NaiveDateTime,
    retry: &RetryPolicy,
) -> StoreResult<()> {
    transaction(conn, |conn| {
        let (due_since, attempts, endpoint_id): (NaiveDateTime, i32, Option<String>) =
            outbox::table
                .filter(outbox::id.eq(id))
                .select((outbox::due_since, outbox::attempts, outbox::endpoint_id))
                .first(conn)?;
        diesel::insert_into(outbox_attempts::table)
            .values((
                outbox_attempts::outbox_id.eq(id),
                outbox_attempts::at.eq(now),
                outbox_attempts::response_status.eq(attempt.response_status),
                outbox_attempts::error.eq(&attempt.error),
                outbox_attempts::duration_ms.eq(attempt.duration_ms),
            ))
            .execute(conn)?;
        let item = outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::status.eq("pending"));
        let Some(error) = attempt.error else {
            diesel::update(item)
                .set((
                    outbox::status.eq("delivered"),
                    outbox::delivered_at.eq(now),
                    outbox::lease_until.eq(None::<NaiveDateTime>),
                    outbox::last_error.eq(None::<String>),
                ))
                .execute(conn)?;
            return Ok(());
        };
        if now - due_since < retry.give_up_after {
            diesel::update(item)
                .set((
                    outbox::next_attempt_at.eq(now + retry.delay(attempts)),
                    outbox::lease_until.eq(None::<NaiveDateTime>),
                    outbox::last_error.eq(&error),
                ))
                .execute(conn)?;
            return Ok(());
        }
        diesel::update(item)
            .set((
                outbox::status.eq("failed"),
                outbox::lease_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(&error),
            ))
            .execute(conn)?;
        if let Some(endpoint) = endpoint_id {
            let hours = retry.give_up_after.num_hours();
            diesel::update(
                webhook_endpoints::table
                    .find(&endpoint)
                    .filter(webhook_endpoints::disabled_at.is_null()),
            )
            .set((
                webhook_endpoints::disabled_at.eq(now),
                webhook_endpoints::disabled_reason.eq(format!(
                    "deliveries failed for {hours} hours; the last: {error}"
                )),
            ))
            .execute(conn)?;
            log::warn!("webhook endpoint {endpoint} disabled: deliveries failed for {hours} hours");
        }
        Ok(())
    })
}

/// A delivery and the log of its attempts.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    /// Also the `webhook-id` header, after `msg_`.
    pub id: uuid::Uuid,
    /// `decision.updated` and the like for a webhook; `reminder` or `summary` for a mail.
    #[schema(example = "decision.updated")]
    pub event: String,
    /// The address of a mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// `pending` (queued or to be tried again), `delivered`, or `failed` (given up after 24
    /// hours, when the endpoint was disabled).
    #[schema(example = "delivered")]
    pub status: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    /// When it is tried next, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    #[schema(example = "HTTP 503")]
    pub last_error: Option<String>,
    /// The body sent, as JSON.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// Every try, oldest first.
    pub log: Vec<AttemptEntry>,
}

/// One try to send a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptEntry {
    pub at: DateTime<Utc>,
    /// What the receiver answered, when it answered.
    pub response_status: Option<i32>,
    /// Why it failed; none when it went through.
    pub error: Option<String>,
    pub duration_ms: i64,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = outbox)]
struct DeliveryRow {
    id: String,
    event: String,
    status: String,
    attempts: i32,
    created_at: NaiveDateTime,
    next_attempt_at: NaiveDateTime,
    delivered_at: Option<NaiveDateTime>,
    last_error: Option<String>,
    payload: String,
    recipient: Option<String>,
}

fn to_deliveries(conn: &mut DbConnection, rows: Vec<DeliveryRow>) -> StoreResult<Vec<Delivery>> {
    let mut deliveries = Vec::with_capacity(rows.len());
    for row in rows {
        let log = outbox_attempts::table
            .filter(outbox_attempts::outbox_id.eq(&row.id))
            .select((
                outbox_attempts::at,
                outbox_attempts::response_status,
                outbox_attempts::error,
                outbox_attempts::duration_ms,
            ))
            .order(outbox_attempts::seq)
            .load::<(NaiveDateTime, Option<i32>, Option<String>, i64)>(conn)?
            .into_iter()
            .map(|(at, response_status, error, duration_ms)| AttemptEntry {
                at: utc(at),
                response_status,
                error,
                duration_ms,
            })
            .collect();
        deliveries.push(Delivery {
            payload: serde_json::from_str(&row.payload)
                .map_err(|e| StoreError::Corrupt(format!("outbox.payload of {}: {e}", row.id)))?,
            next_attempt_at: (row.status == "pending").then(|| utc(row.next_attempt_at)),
            id: parse_stored(&row.id, "outbox.id")?,
            event: row.event,
            recipient: row.recipient,
            status: row.status,
            attempts: row.attempts,
            created_at: utc(row.created_at),
            delivered_at: row.delivered_at.map(utc),
            last_error: row.last_error,
            log,
        });
    }
    Ok(deliveries)
}

/// Whose items to list.
pub(crate) enum Of<'a> {
    /// A webhook endpoint's deliveries.
    Endpoint(&'a str),
    /// A channel's items (`mail`).
    Channel(&'a str),
}

/// The newest items of an endpoint or channel, newest first.
pub(crate) fn newest(
    conn: &mut DbConnection,
    of: Of<'_>,
    limit: i64,
) -> StoreResult<Vec<Delivery>> {
    let query = outbox::table
        .select(DeliveryRow::as_select())
        .order(outbox::seq.desc())
        .limit(limit)
        .into_boxed();
    let query = match of {
        Of::Endpoint(endpoint) => query.filter(outbox::endpoint_id.eq(endpoint.to_owned())),
        Of::Channel(channel) => query.filter(outbox::channel.eq(channel.to_owned())),
    };
    let rows = query.load(conn)?;
    to_deliveries(conn, rows)
}

/// The columns of an item that is due again from `now`, with a fresh time to retry.
type DueAgain = (
    diesel::dsl::Eq<outbox::status, &'static str>,
    diesel::dsl::Eq<outbox::due_since, NaiveDateTime>,
    diesel::dsl::Eq<outbox::next_attempt_at, NaiveDateTime>,
    diesel::dsl::Eq<outbox::lease_until, Option<NaiveDateTime>>,
);

fn due_again(now: NaiveDateTime) -> DueAgain {
    (
        outbox::status.eq("pending"),
        outbox::due_since.eq(now),
        outbox::next_attempt_at.eq(now),
        outbox::lease_until.eq(None),
    )
}

/// Puts everything not yet delivered to an endpoint back in its queue, due `now`.
pub(crate) fn requeue_undelivered(
    conn: &mut DbConnection,
    endpoint: &str,
    now: NaiveDateTime,
) -> StoreResult<()> {
    diesel::update(
        outbox::table
            .filter(outbox::endpoint_id.eq(endpoint))
            .filter(outbox::status.ne("delivered")),
    )
    .set(due_again(now))
    .execute(conn)?;
    Ok(())
}

/// Puts a delivery of an endpoint back in its queue, due `now`.
pub(crate) fn requeue(
    conn: &mut DbConnection,
    endpoint: &str,
    id: &str,
    now: NaiveDateTime,
) -> StoreResult<Delivery> {
    let changed = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::endpoint_id.eq(endpoint)),
    )
    .set(due_again(now))
    .execute(conn)?;
    if changed == 0 {
        return Err(StoreError::NotFound(format!(
            "no delivery {id} to webhook {endpoint}"
        )));
    }
    let rows = outbox::table
        .filter(outbox::id.eq(id))
        .select(DeliveryRow::as_select())
        .load(conn)?;
    to_deliveries(conn, rows)?
        .pop()
        .ok_or_else(|| StoreError::NotFound(format!("no delivery {id}")))
}

/// How many items are waiting to go out, for the start log and tests.
pub fn pending(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(outbox::table
        .filter(outbox::status.eq("pending"))
        .count()
        .get_result(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_up_to_the_cap() {
        let retry = RetryPolicy::default();
        assert_eq!(retry.delay(1), TimeDelta::seconds(5));
        assert_eq!(retry.delay(2), TimeDelta::seconds(10));
        assert_eq!(retry.delay(4), TimeDelta::seconds(40));
        assert_eq!(retry.delay(20), TimeDelta::hours(1));
        assert_eq!(retry.delay(i32::MAX), TimeDelta::hours(1));
    }
}
