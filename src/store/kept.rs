//! Answers that cost a pass over the whole log and are asked far more often than the log
//! changes (AU's dashboard counts), kept until the log changes.
//!
//! Each kept answer carries the time of the change clock (see
//! [`super::connection::write_transaction`]) that it was computed at, read in the same
//! snapshot as the answer. A request reads the clock first, in its own snapshot: if no change
//! has been made since, the kept answer is exactly what computing it again would give. The
//! clock is the database's, so this holds with several service instances on one database, and
//! costs writers nothing.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDateTime;
use diesel::{QueryDsl, RunQueryDsl};

use super::{DbConnection, Pool, StoreResult};

/// The time of the last change to the log, as the change clock has it.
pub fn last_change(conn: &mut DbConnection) -> StoreResult<NaiveDateTime> {
    use super::schema::change_clock;
    Ok(change_clock::table
        .find(1)
        .select(change_clock::last_change)
        .get_result(conn)?)
}

/// An answer and the change clock's time it is true at.
struct Kept<V> {
    at: NaiveDateTime,
    value: V,
}

/// One slot per question: whoever finds it empty or stale computes the answer while others
/// asking the same question wait for it, instead of all reading the whole log at once.
type Slot<V> = Arc<Mutex<Option<Kept<V>>>>;

/// Kept answers by question.
pub struct KeptAnswers<K, V> {
    slots: Mutex<HashMap<K, Slot<V>>>,
}

impl<K, V> Default for KeptAnswers<K, V> {
    fn default() -> Self {
        Self {
            slots: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Hash + Eq, V: Clone> KeptAnswers<K, V> {
    /// Questions kept at most; past that the oldest are not told apart, all are dropped (the
    /// dashboard asks a handful of questions, each a few kilobytes).
    const MAX_QUESTIONS: usize = 256;

    fn slot(&self, question: K) -> Slot<V> {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if slots.len() >= Self::MAX_QUESTIONS && !slots.contains_key(&question) {
            slots.clear();
        }
        slots.entry(question).or_default().clone()
    }

    /// The answer to `question`: the kept one, if nothing changed since it was computed and
    /// `fresh` accepts it (for what the clock does not see, such as the date); else computed
    /// by `compute` and kept. The clock and the answer are read in one snapshot. Those who ask
    /// while it is computed wait for it without holding a connection.
    pub fn answer(
        &self,
        question: K,
        pool: &Pool,
        fresh: impl Fn(&V) -> bool,
        compute: impl FnOnce(&mut DbConnection) -> StoreResult<V>,
    ) -> StoreResult<V> {
        let slot = self.slot(question);
        let mut kept = slot.lock().unwrap_or_else(PoisonError::into_inner);
        let mut conn = pool.get()?;
        let result = super::read_transaction(&mut conn, |conn| {
            let at = last_change(conn)?;
            if let Some(hit) = kept.as_ref().filter(|k| k.at == at && fresh(&k.value)) {
                return Ok(hit.value.clone());
            }
            let value = compute(conn)?;
            *kept = Some(Kept {
                at,
                value: value.clone(),
            });
            Ok(value)
        });
        super::connection::discard_if_lost(&mut conn, result)
    }
}
