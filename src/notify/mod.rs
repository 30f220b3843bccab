//! What the service sends out on its own: signed webhook deliveries and reminder mails from
//! the outbox (`store::outbox`), by a background worker that runs beside the HTTP server.

pub mod mail;
pub mod signing;
pub mod target;
pub mod worker;

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;

pub use target::WebhookPolicy;
pub use worker::Worker;

use crate::store::outbox::RetryPolicy;
use crate::store::reminders::Rules;

/// Reminders: when, to whom besides the owners, and how they are sent.
#[derive(Debug, Clone)]
pub struct ReminderSettings {
    pub rules: Rules,
    /// Without it reminders are computed and logged, not sent.
    pub mail: Option<mail::MailConfig>,
    /// Where the service's pages are, for the links in the mails.
    pub base_url: String,
}

/// The time as the worker sees it; tests move it to see retries give up.
pub type Clock = Arc<dyn Fn() -> NaiveDateTime + Send + Sync>;

/// This machine's clock.
pub fn system_clock() -> Clock {
    Arc::new(|| chrono::Utc::now().naive_utc())
}

/// How the worker sends.
#[derive(Clone)]
pub struct Settings {
    pub policy: WebhookPolicy,
    pub retry: RetryPolicy,
    /// How often the worker looks for due items when it has nothing to do.
    pub poll: Duration,
    /// How long a worker holds an item it took; another takes it after, should this one die.
    pub lease: Duration,
    /// How long a receiver has to answer.
    pub timeout: Duration,
    pub clock: Clock,
    /// Whether (and how) this worker decides each day's reminders.
    pub reminders: Option<ReminderSettings>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            policy: WebhookPolicy::default(),
            retry: RetryPolicy::default(),
            poll: Duration::from_millis(500),
            lease: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
            clock: system_clock(),
            reminders: None,
        }
    }
}
