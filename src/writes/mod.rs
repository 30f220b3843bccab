//! The writes: every change to the log, one floor above the store.
//!
//! The store (`crate::store`) holds each table's rows, reads and lookups, and writes only its
//! own rows; no entity there calls another's writes. Here each write runs in one transaction:
//! it checks its rules, writes its rows through the store, records its history entry, and
//! sets off its follow-up effects, which are all gathered in [`ripples`] so that a reader
//! sees in one file everything a change does to other records. The API, the web pages and
//! the importer all write through this module.

pub mod cases;
pub mod committees;
pub mod decisions;
pub mod links;
pub mod meetings;
pub mod owners;
pub mod proposals;
mod ripples;

/// Optional text as it is kept: trimmed, and none when nothing is left.
fn trimmed(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// A new point or case is public unless the request says otherwise.
fn public_by_default() -> bool {
    true
}
/// For a field of a change that may be left out but not cleared: `null` is refused (the field
/// says what it expects) instead of being taken as "unchanged".
pub(crate) mod not_null {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        T::deserialize(deserializer).map(Some)
    }
}

/// For a field of a change that may be cleared: absent means "unchanged" (`None`), `null`
/// means "clear" (`Some(None)`).
pub(crate) mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}
