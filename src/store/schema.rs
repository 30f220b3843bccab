//! The diesel schema, written by hand because one schema serves both backends (ids are text,
//! enums are text). `tests/api/schema.rs` checks it against what the migrations create.

diesel::table! {
    committees (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    meetings (id) {
        id -> Text,
        committee_id -> Text,
        meeting_date -> Date,
        start_time -> Nullable<Time>,
        end_time -> Nullable<Time>,
        location -> Nullable<Text>,
        kind -> Text,
        chair -> Nullable<Text>,
        minute_taker -> Nullable<Text>,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    cases (id) {
        id -> Text,
        committee_id -> Text,
        meeting_id -> Text,
        case_year -> Integer,
        case_serial -> Integer,
        title -> Text,
        responsible -> Text,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        is_public -> Bool,
        narrative -> Nullable<Text>,
        postponement_settled -> Bool,
    }
}

diesel::table! {
    owners (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    owner_aliases (alias_key) {
        alias_key -> Text,
        owner_id -> Text,
        alias -> Text,
    }
}

diesel::table! {
    decisions (id) {
        id -> Text,
        case_id -> Text,
        position -> Text,
        position_sort -> Integer,
        text -> Text,
        kind -> Text,
        deadline -> Nullable<Date>,
        status -> Text,
        status_note -> Nullable<Text>,
        search_text -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        is_public -> Bool,
        status_evidence -> Nullable<Text>,
        /// The case's committee code, year and serial, kept here for the order by case.
        case_committee -> Text,
        case_year -> Integer,
        case_serial -> Integer,
    }
}

diesel::table! {
    decision_owners (decision_id, owner_id) {
        decision_id -> Text,
        owner_id -> Text,
        responsible -> Bool,
        ordinal -> Integer,
        /// The point's deadline as the list sorts it (none: 9999-12-31) while the point is open
        /// or in progress, else NULL; kept by triggers (migration 000017).
        work_deadline -> Nullable<Date>,
    }
}

diesel::table! {
    case_links (id) {
        id -> Text,
        source_case_id -> Text,
        kind -> Text,
        target_committee_id -> Text,
        target_year -> Integer,
        target_serial -> Integer,
        target_position -> Nullable<Text>,
        target_case_id -> Nullable<Text>,
        note -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Text,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        name -> Text,
        role -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        created_by -> Text,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    history (seq) {
        seq -> BigInt,
        entity -> Text,
        entity_id -> Text,
        context_id -> Nullable<Text>,
        version -> Integer,
        action -> Text,
        actor -> Text,
        at -> Timestamp,
        changes -> Text,
        note -> Nullable<Text>,
        evidence -> Nullable<Text>,
    }
}

diesel::table! {
    link_proposals (id) {
        id -> Text,
        source_case_id -> Text,
        kind -> Text,
        target_committee_id -> Text,
        target_year -> Nullable<Integer>,
        target_serial -> Nullable<Integer>,
        target_meeting_date -> Nullable<Date>,
        matched_text -> Text,
        status -> Text,
        link_id -> Nullable<Text>,
        created_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    imports (id) {
        id -> Text,
        committee_id -> Text,
        meeting_id -> Text,
        document_kind -> Text,
        content_sha256 -> Text,
        summary -> Text,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    imported_values (entity, entity_id) {
        entity -> Text,
        entity_id -> Text,
        import_id -> Text,
        field_values -> Text,
    }
}

diesel::table! {
    /// One row: the change time of the last write (see `connection::write_transaction`).
    change_clock (id) {
        id -> Integer,
        last_change -> Timestamp,
    }
}

diesel::table! {
    /// SQLite only: the text each decision point is found by, under the integer key that the
    /// full-text index uses as its row id. PostgreSQL indexes `decisions.search_text` itself.
    decision_search_docs (doc) {
        doc -> BigInt,
        decision_id -> Text,
        body -> Text,
    }
}

diesel::table! {
    /// SQLite only: the FTS5 index over `decision_search_docs`. Its hidden column named like
    /// the table takes the `MATCH`; `rank` is the match's bm25 score, best (lowest) first.
    decision_search (rowid) {
        rowid -> BigInt,
        rank -> Double,
    }
}

diesel::joinable!(decision_search_docs -> decisions (decision_id));
diesel::joinable!(decision_search -> decision_search_docs (rowid));
diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Text,
        disabled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    pending_imports (id) {
        id -> Text,
        user_id -> Text,
        document -> Binary,
        content_sha256 -> Text,
        file_name -> Text,
        kind -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Text,
        url -> Text,
        events -> Text,
        secret -> Text,
        description -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Text,
        disabled_at -> Nullable<Timestamp>,
        disabled_reason -> Nullable<Text>,
    }
}

diesel::table! {
    outbox (seq) {
        seq -> BigInt,
        id -> Text,
        channel -> Text,
        endpoint_id -> Nullable<Text>,
        event -> Text,
        queue -> Text,
        idempotency_key -> Nullable<Text>,
        recipient -> Nullable<Text>,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        created_at -> Timestamp,
        due_since -> Timestamp,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox_attempts (seq) {
        seq -> BigInt,
        outbox_id -> Text,
        at -> Timestamp,
        response_status -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
    }
}

diesel::table! {
    owner_contacts (owner_id, email) {
        owner_id -> Text,
        email -> Text,
        reminders -> Text,
    }
}

diesel::table! {
    reminder_keys (reminder_key) {
        reminder_key -> Text,
        outbox_id -> Text,
        decision_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Points counted per meeting, status, open deadline, visibility and whether they have
    /// an owner; kept by the database's triggers (migration 000016).
    meeting_tallies (meeting_id, status, owned, deadline, is_public) {
        meeting_id -> Text,
        status -> Text,
        deadline -> Date,
        is_public -> Bool,
        owned -> Bool,
        points -> BigInt,
    }
}

diesel::table! {
    /// Points counted per owner, meeting, status, open deadline and visibility.
    owner_tallies (owner_id, status, meeting_id, deadline, is_public) {
        owner_id -> Text,
        meeting_id -> Text,
        status -> Text,
        deadline -> Date,
        is_public -> Bool,
        points -> BigInt,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(pending_imports -> users (user_id));
diesel::joinable!(owner_contacts -> owners (owner_id));
diesel::joinable!(meetings -> committees (committee_id));
diesel::joinable!(cases -> meetings (meeting_id));
diesel::joinable!(decisions -> cases (case_id));
diesel::joinable!(decision_owners -> decisions (decision_id));
diesel::joinable!(decision_owners -> owners (owner_id));
diesel::joinable!(owner_aliases -> owners (owner_id));
diesel::joinable!(meeting_tallies -> meetings (meeting_id));
diesel::joinable!(owner_tallies -> meetings (meeting_id));
diesel::joinable!(owner_tallies -> owners (owner_id));

diesel::allow_tables_to_appear_in_same_query!(
    committees,
    meetings,
    cases,
    owners,
    owner_aliases,
    decisions,
    decision_owners,
    case_links,
    api_tokens,
    history,
    link_proposals,
    imports,
    imported_values,
    decision_search_docs,
    decision_search,
    users,
    sessions,
    pending_imports,
    webhook_endpoints,
    outbox,
    outbox_attempts,
    owner_contacts,
    meeting_tallies,
    owner_tallies,
    reminder_keys,
);

/// Every table both backends have, in an order that respects foreign keys; used by the schema
/// check. (The full-text tables are each backend's own.)
pub const TABLES: &[&str] = &[
    "committees",
    "meetings",
    "cases",
    "owners",
    "owner_aliases",
    "decisions",
    "decision_owners",
    "case_links",
    "api_tokens",
    "history",
    "link_proposals",
    "imports",
    "imported_values",
    "change_clock",
    "users",
    "sessions",
    "pending_imports",
    "webhook_endpoints",
    "outbox",
    "outbox_attempts",
    "owner_contacts",
    "reminder_keys",
    "meeting_tallies",
    "owner_tallies",
];
