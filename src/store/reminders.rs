//! Reminders: who is told of which deadlines on a day, gathered in one digest per recipient,
//! and put in the outbox with a key per point, recipient, kind and date, so that no reminder
//! goes out twice (also across restarts and instances: the keys are committed with the mail).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate, NaiveDateTime, Weekday};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::outbox::{Delivery, NewItem};
use super::schema::{
    cases, committees, decision_owners, decisions, meetings, owner_contacts, owners, reminder_keys,
};
use super::users::normalize_email;
use super::{DbConnection, StoreError, StoreResult, parse_stored};
use crate::domain::{DecisionKind, DecisionStatus};

/// Why a point is in a reminder.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// Its deadline is the rules' number of days away.
    Before,
    /// Its deadline is today.
    Due,
    /// Its deadline has passed: the day after, then weekly until it is closed.
    Overdue,
    /// In the secretariat's weekly summary of everything overdue.
    Summary,
}

impl ReminderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::Before => "before",
            ReminderKind::Due => "due",
            ReminderKind::Overdue => "overdue",
            ReminderKind::Summary => "summary",
        }
    }

    /// The kind of owner reminder a point gets on `date`, if any.
    fn on(date: NaiveDate, deadline: NaiveDate, days_before: i64) -> Option<Self> {
        let days = (deadline - date).num_days();
        match days {
            0 => Some(ReminderKind::Due),
            d if d == days_before && d > 0 => Some(ReminderKind::Before),
            d if d < 0 && (-d - 1) % 7 == 0 => Some(ReminderKind::Overdue),
            _ => None,
        }
    }
}

/// When reminders go out and to whom besides the owners.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Owners are reminded this many days before a deadline (default 7), on the day, and when
    /// it has passed (the day after, then weekly).
    pub days_before: i64,
    /// Gets the weekly summary of everything overdue, and the reminders of points whose
    /// owners have no address.
    pub secretariat: Option<String>,
    /// The day of the weekly summary.
    pub summary_day: Weekday,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            days_before: 7,
            secretariat: None,
            summary_day: Weekday::Mon,
        }
    }
}

/// A point in a reminder, with what the mail says of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DuePoint {
    pub id: uuid::Uuid,
    pub kind: ReminderKind,
    #[schema(example = "ASU")]
    pub committee: String,
    #[schema(example = "24/24")]
    pub case_number: String,
    pub case_title: String,
    #[schema(example = "2")]
    pub position: String,
    pub text: String,
    pub meeting_date: NaiveDate,
    pub deadline: NaiveDate,
    pub status: DecisionStatus,
    pub owners: Vec<String>,
}

/// One mail of a day: every point one recipient is reminded of.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Digest {
    #[schema(example = "analysegruppen@trondheim.kommune.no")]
    pub recipient: String,
    pub date: NaiveDate,
    /// The secretariat's weekly summary, rather than an owner's reminder.
    pub summary: bool,
    pub points: Vec<DuePoint>,
}

/// A mail as it is queued.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// An address an owner is reminded at, and of what.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// An address: something before an `@`, and a domain with a dot inside it; surrounding
    /// whitespace is trimmed, and it is kept in lower case.
    #[schema(
        example = "analysegruppen@trondheim.kommune.no",
        pattern = r"^[^\S\u0000-\u001F\u007F-\u009F]*[^@\s\u0000-\u001F\u007F-\u009F]+@[^@\s.\u0000-\u001F\u007F-\u009F][^@\s\u0000-\u001F\u007F-\u009F]*\.[^@\s\u0000-\u001F\u007F-\u009F]*[^@\s.\u0000-\u001F\u007F-\u009F][^\S\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub email: String,
    /// The reminders wanted, of `before`, `due` and `overdue`; all when left out.
    #[serde(default = "all_reminders")]
    #[schema(value_type = Vec<OwnerReminder>)]
    pub reminders: Vec<ReminderKind>,
}

/// The reminders an owner's address can choose: the weekly summary is the secretariat's.
/// For the OpenAPI document only; the values are [`ReminderKind`]'s.
pub struct OwnerReminder;

impl utoipa::PartialSchema for OwnerReminder {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "`before` the deadline, on the day it is `due`, or when it is `overdue`.",
            ))
            .enum_values(Some(["before", "due", "overdue"]))
            .into()
    }
}

impl ToSchema for OwnerReminder {}

fn all_reminders() -> Vec<ReminderKind> {
    vec![
        ReminderKind::Before,
        ReminderKind::Due,
        ReminderKind::Overdue,
    ]
}

/// An owner and the addresses it is reminded at.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnerContacts {
    #[schema(example = "Analysegruppen")]
    pub owner: String,
    pub contacts: Vec<Contact>,
}

/// Replaces the addresses of an owner (by id, name or alias).
pub fn set_contacts(
    conn: &mut DbConnection,
    owner: &str,
    contacts: Vec<Contact>,
) -> StoreResult<OwnerContacts> {
    super::write_transaction(conn, |conn| {
        let found = super::owners::get(conn, owner)?;
        let owner_id = found.id.to_string();
        let mut seen = HashSet::new();
        let mut rows = Vec::new();
        for contact in contacts {
            let address = normalize_email(&contact.email)?;
            if !seen.insert(address.clone()) {
                return Err(StoreError::Invalid(format!(
                    "email: {address} is given twice"
                )));
            }
            if contact.reminders.contains(&ReminderKind::Summary) {
                return Err(StoreError::Invalid(
                    "reminders: an owner gets before, due and overdue; the summary goes to the \
                     secretariat's address"
                        .into(),
                ));
            }
            let reminders = serde_json::to_string(&contact.reminders)
                .map_err(|e| StoreError::Internal(e.to_string()))?;
            rows.push((address, reminders));
        }
        diesel::delete(owner_contacts::table.filter(owner_contacts::owner_id.eq(&owner_id)))
            .execute(conn)?;
        for (address, reminders) in rows {
            diesel::insert_into(owner_contacts::table)
                .values((
                    owner_contacts::owner_id.eq(&owner_id),
                    owner_contacts::email.eq(address),
                    owner_contacts::reminders.eq(reminders),
                ))
                .execute(conn)?;
        }
        Ok(contacts_of(conn, Some(&owner_id))?
            .pop()
            .unwrap_or(OwnerContacts {
                owner: found.name,
                contacts: Vec::new(),
            }))
    })
}

/// Every owner with addresses (or one owner's), by owner name.
pub fn contacts_of(
    conn: &mut DbConnection,
    owner_id: Option<&str>,
) -> StoreResult<Vec<OwnerContacts>> {
    let mut query = owner_contacts::table
        .inner_join(owners::table)
        .select((
            owners::name,
            owner_contacts::email,
            owner_contacts::reminders,
        ))
        .order((owners::name, owner_contacts::email))
        .into_boxed();
    if let Some(id) = owner_id {
        query = query.filter(owner_contacts::owner_id.eq(id.to_owned()));
    }
    let rows: Vec<(String, String, String)> = query.load(conn)?;
    let mut grouped: Vec<OwnerContacts> = Vec::new();
    for (owner, address, reminders) in rows {
        let reminders = serde_json::from_str(&reminders)
            .map_err(|e| StoreError::Corrupt(format!("owner_contacts.reminders: {e}")))?;
        let contact = Contact {
            email: address,
            reminders,
        };
        match grouped.last_mut() {
            Some(last) if last.owner == owner => last.contacts.push(contact),
            _ => grouped.push(OwnerContacts {
                owner,
                contacts: vec![contact],
            }),
        }
    }
    Ok(grouped)
}

type PointRow = (
    String,
    String,
    String,
    String,
    String,
    i32,
    i32,
    String,
    NaiveDate,
    Option<NaiveDate>,
    String,
);

/// The open points with a deadline on or before `until`, that need follow-up; with
/// `reminded_on`, only those whose owners get a reminder that day (see [`ReminderKind::on`]),
/// chosen in SQL so that a large log's overdue points are not all read every day.
fn open_points(
    conn: &mut DbConnection,
    until: NaiveDate,
    reminded_on: Option<(NaiveDate, i64)>,
) -> StoreResult<Vec<DuePoint>> {
    let mut query = decisions::table
        .inner_join(cases::table.inner_join(meetings::table))
        .inner_join(committees::table.on(committees::id.eq(cases::committee_id)))
        .filter(decisions::deleted_at.is_null())
        .filter(cases::deleted_at.is_null())
        // Written as the index of open work by deadline (SQLite) is, so that it is read from
        // there: the points with a deadline by `until`, not the whole log.
        .filter(sql::<Bool>(
            "decisions.status IN ('open', 'in_progress') AND COALESCE(decisions.deadline, '9999-12-31') <= ",
        ).bind::<Date, _>(until))
        .select((
            decisions::id,
            decisions::kind,
            decisions::position,
            decisions::text,
            committees::code,
            cases::case_serial,
            cases::case_year,
            cases::title,
            meetings::meeting_date,
            decisions::deadline,
            decisions::status,
        ))
        .order((
            decisions::deadline,
            decisions::case_year,
            decisions::case_serial,
            decisions::position_sort,
        ))
        .into_boxed();
    if let Some((date, days_before)) = reminded_on {
        // Due today, due in `days_before` days, or passed a whole number of weeks and a day
        // ago; in the index's terms (a deadline by `until` is the indexed value).
        let days_since = match super::backend_of(conn) {
            crate::config::Backend::Sqlite => {
                "CAST(julianday(COALESCE(decisions.deadline, '9999-12-31')) - julianday(%) AS INTEGER)"
            }
            crate::config::Backend::Postgres => "(decisions.deadline - CAST(% AS DATE))",
        };
        let (before, after) = days_since.split_once('%').unwrap_or_default();
        query = query.filter(
            sql::<Bool>("(COALESCE(decisions.deadline, '9999-12-31') IN (")
                .bind::<Date, _>(date)
                .sql(", ")
                .bind::<Date, _>(date + chrono::TimeDelta::days(days_before))
                .sql(") OR (COALESCE(decisions.deadline, '9999-12-31') < ")
                .bind::<Date, _>(date)
                .sql(" AND (-1 - ")
                .sql(before)
                .bind::<Date, _>(date)
                .sql(after)
                .sql(") % 7 = 0))"),
        );
    }
    let rows: Vec<PointRow> = query.load(conn)?;
    let mut points = Vec::new();
    for (id, kind, position, text, committee, serial, year, title, meeting, deadline, status) in
        rows
    {
        let kind: DecisionKind = parse_stored(&kind, "decisions.kind")?;
        let Some(deadline) = deadline else { continue };
        if !kind.needs_follow_up() {
            continue;
        }
        points.push(DuePoint {
            id: parse_stored(&id, "decisions.id")?,
            kind: ReminderKind::Due,
            committee,
            case_number: format!("{serial:02}/{:02}", year % 100),
            case_title: title,
            position,
            text,
            meeting_date: meeting,
            deadline,
            status: parse_stored(&status, "decisions.status")?,
            owners: Vec::new(),
        });
    }
    Ok(points)
}

/// The digests of `date`, leaving out reminders already decided (by their keys).
pub fn plan(conn: &mut DbConnection, date: NaiveDate, rules: &Rules) -> StoreResult<Vec<Digest>> {
    let summary_day = rules.secretariat.is_some() && date.weekday() == rules.summary_day;
    // The weekly summary holds everything overdue; on other days only what is reminded of.
    let mut points = open_points(
        conn,
        date + chrono::TimeDelta::days(rules.days_before.max(0)),
        (!summary_day).then_some((date, rules.days_before)),
    )?;
    let ids: Vec<String> = points.iter().map(|p| p.id.to_string()).collect();
    // Owners of the points, and the owners' addresses.
    let owned: Vec<(String, String, String)> = decision_owners::table
        .inner_join(owners::table)
        .filter(super::one_of(
            super::backend_of(conn),
            "decision_owners.decision_id",
            ids,
        ))
        .select((decision_owners::decision_id, owners::id, owners::name))
        .order((decision_owners::decision_id, decision_owners::ordinal))
        .load(conn)?;
    let mut owners_of: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for (decision, owner_id, name) in owned {
        owners_of
            .entry(decision)
            .or_default()
            .push((owner_id, name));
    }
    let mut addresses: HashMap<String, Vec<(String, Vec<ReminderKind>)>> = HashMap::new();
    for (owner_id, address, reminders) in owner_contacts::table
        .select((
            owner_contacts::owner_id,
            owner_contacts::email,
            owner_contacts::reminders,
        ))
        .load::<(String, String, String)>(conn)?
    {
        let reminders: Vec<ReminderKind> = serde_json::from_str(&reminders)
            .map_err(|e| StoreError::Corrupt(format!("owner_contacts.reminders: {e}")))?;
        addresses
            .entry(owner_id)
            .or_default()
            .push((address, reminders));
    }
    // recipient -> (summary?, points)
    let mut digests: BTreeMap<(bool, String), Vec<DuePoint>> = BTreeMap::new();
    for point in &mut points {
        let owners = owners_of.remove(&point.id.to_string()).unwrap_or_default();
        point.owners = owners.iter().map(|(_, name)| name.clone()).collect();
        if summary_day && point.deadline < date {
            let mut summarised = point.clone();
            summarised.kind = ReminderKind::Summary;
            if let Some(secretariat) = &rules.secretariat {
                digests
                    .entry((true, secretariat.clone()))
                    .or_default()
                    .push(summarised);
            }
        }
        let Some(kind) = ReminderKind::on(date, point.deadline, rules.days_before) else {
            continue;
        };
        point.kind = kind;
        let mut recipients: Vec<String> = owners
            .iter()
            .flat_map(|(owner_id, _)| addresses.get(owner_id).into_iter().flatten())
            .filter(|(_, wanted)| wanted.contains(&kind))
            .map(|(address, _)| address.clone())
            .collect();
        // Nobody to tell: the secretariat keeps the log, so it is told instead.
        let has_address = owners
            .iter()
            .any(|(owner_id, _)| addresses.contains_key(owner_id));
        if !has_address && let Some(secretariat) = &rules.secretariat {
            recipients.push(secretariat.clone());
        }
        recipients.sort();
        recipients.dedup();
        for recipient in recipients {
            digests
                .entry((false, recipient))
                .or_default()
                .push(point.clone());
        }
    }
    // What was decided before (an earlier run today, another instance) is left out.
    let sent: HashSet<String> = reminder_keys::table
        .filter(reminder_keys::reminder_key.like(format!("%|{date}")))
        .select(reminder_keys::reminder_key)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    Ok(digests
        .into_iter()
        .filter_map(|((summary, recipient), points)| {
            let points: Vec<DuePoint> = points
                .into_iter()
                .filter(|p| !sent.contains(&key(p, &recipient, date)))
                .collect();
            (!points.is_empty()).then_some(Digest {
                recipient,
                date,
                summary,
                points,
            })
        })
        .collect())
}

/// The key of one reminder: point, recipient, kind and date.
fn key(point: &DuePoint, recipient: &str, date: NaiveDate) -> String {
    format!("{}|{recipient}|{}|{date}", point.id, point.kind.as_str())
}

/// Plans the digests of `date` and queues each as a mail, with the keys of its reminders, in
/// one transaction; returns what was queued. Run twice, the second queues nothing.
pub fn queue(
    conn: &mut DbConnection,
    date: NaiveDate,
    rules: &Rules,
    at: NaiveDateTime,
    render: impl Fn(&Digest) -> Mail,
) -> StoreResult<Vec<Digest>> {
    super::write_transaction(conn, |conn| {
        let digests = plan(conn, date, rules)?;
        for digest in &digests {
            let mail = render(digest);
            let id = uuid::Uuid::new_v4().to_string();
            super::outbox::push_with_id(
                conn,
                &id,
                NewItem {
                    channel: "mail",
                    queue: id.clone(),
                    endpoint_id: None,
                    event: if digest.summary {
                        "summary"
                    } else {
                        "reminder"
                    }
                    .into(),
                    idempotency_key: None,
                    recipient: Some(digest.recipient.clone()),
                    payload: serde_json::to_string(&mail)
                        .map_err(|e| StoreError::Internal(e.to_string()))?,
                    at,
                },
            )?;
            for point in &digest.points {
                diesel::insert_into(reminder_keys::table)
                    .values((
                        reminder_keys::reminder_key.eq(key(point, &digest.recipient, date)),
                        reminder_keys::outbox_id.eq(&id),
                        reminder_keys::decision_id.eq(point.id.to_string()),
                        reminder_keys::created_at.eq(at),
                    ))
                    .execute(conn)?;
            }
        }
        Ok(digests)
    })
}

/// How many overdue points one write transaction queues `decision.overdue` for: writers wait
/// for one batch at a time, not for all of a large log's overdue points.
const OVERDUE_BATCH: i64 = 500;

/// Queues `decision.overdue` for the webhooks, once for each open point and deadline, when
/// the deadline has passed before `date`; returns how many points it went out for. Nothing is
/// read when no endpoint wants the event. The points not yet told of are found in SQL (their
/// key missing), a batch per write transaction, so a run costs what it queues, and the points
/// told of before cost one index probe each.
pub fn overdue_events(
    conn: &mut DbConnection,
    date: NaiveDate,
    at: NaiveDateTime,
) -> StoreResult<usize> {
    if super::webhooks::endpoints_wanting(conn, "decision.overdue")?.is_empty() {
        return Ok(0);
    }
    // The key as the database spells it: the point, the event and the deadline (ISO date).
    let deadline_text = match super::backend_of(conn) {
        crate::config::Backend::Sqlite => "decisions.deadline",
        crate::config::Backend::Postgres => "to_char(decisions.deadline, 'YYYY-MM-DD')",
    };
    let not_told = format!(
        "NOT EXISTS (SELECT 1 FROM reminder_keys WHERE reminder_keys.reminder_key = \
         decisions.id || '|webhook|overdue|' || {deadline_text})"
    );
    let follow_up: Vec<&str> = DecisionKind::ALL
        .iter()
        .filter(|kind| kind.needs_follow_up())
        .map(|kind| kind.as_str())
        .collect();
    let mut queued = 0;
    loop {
        let (read, told) = super::write_transaction(conn, |conn| {
            let points: Vec<(String, Option<NaiveDate>)> = decisions::table
                .inner_join(cases::table)
                .filter(decisions::deleted_at.is_null())
                .filter(cases::deleted_at.is_null())
                .filter(decisions::status.eq_any([
                    DecisionStatus::Open.as_str(),
                    DecisionStatus::InProgress.as_str(),
                ]))
                .filter(decisions::kind.eq_any(&follow_up))
                .filter(decisions::deadline.lt(date))
                .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&not_told))
                .select((decisions::id, decisions::deadline))
                .order((decisions::deadline, decisions::id))
                .limit(OVERDUE_BATCH)
                .load(conn)?;
            let mut told = 0;
            for (id, deadline) in &points {
                let Some(deadline) = deadline else { continue };
                // No endpoint wants it any more (one was removed meanwhile): nothing to do.
                let Some(outbox_id) = super::webhooks::on_overdue(conn, id, at)? else {
                    return Ok::<_, StoreError>((0, told));
                };
                diesel::insert_into(reminder_keys::table)
                    .values((
                        reminder_keys::reminder_key.eq(format!("{id}|webhook|overdue|{deadline}")),
                        reminder_keys::outbox_id.eq(outbox_id),
                        reminder_keys::decision_id.eq(id),
                        reminder_keys::created_at.eq(at),
                    ))
                    .execute(conn)?;
                told += 1;
            }
            Ok((points.len(), told))
        })?;
        queued += told;
        if read < OVERDUE_BATCH as usize {
            return Ok(queued);
        }
    }
}

/// The newest mails of the outbox, newest first: queued, sent and failed.
pub fn mails(conn: &mut DbConnection, limit: i64) -> StoreResult<Vec<Delivery>> {
    super::outbox::newest(conn, super::outbox::Of::Channel("mail"), limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_deadline() {
        let deadline = NaiveDate::from_ymd_opt(2024, 8, 30).unwrap();
        let on = |d: u32, m: u32| {
            ReminderKind::on(NaiveDate::from_ymd_opt(2024, m, d).unwrap(), deadline, 7)
        };
        assert_eq!(on(23, 8), Some(ReminderKind::Before));
        assert_eq!(on(24, 8), None);
        assert_eq!(on(30, 8), Some(ReminderKind::Due));
        assert_eq!(on(31, 8), Some(ReminderKind::Overdue));
        assert_eq!(on(1, 9), None);
        assert_eq!(on(7, 9), Some(ReminderKind::Overdue));
        assert_eq!(on(14, 9), Some(ReminderKind::Overdue));
    }

    #[test]
    fn addresses_are_checked_and_folded() {
        assert_eq!(normalize_email(" Post@AU.no ").unwrap(), "post@au.no");
        for bad in [
            "",
            "au",
            "@au.no",
            "au@",
            "au@no",
            "a u@au.no",
            "au@.no",
            "a@b@c.no",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }
}
