//! The worker that sends the outbox: a thread of its own beside the server, which takes due
//! items, sends them, and records how each went (see `store::outbox`).

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use chrono::TimeDelta;

use super::mail::Mailer;
use super::{ReminderSettings, Settings, signing};
use crate::store::outbox::{self, Attempt, Claimed};
use crate::store::reminders::{self, Mail};
use crate::store::{Store, StoreResult};

/// How many items a worker takes at once.
const BATCH: i64 = 20;

/// A running worker; stopped by [`Worker::stop`] or when dropped.
pub struct Worker {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts sending what the outbox holds and what is put in it.
    pub fn start(store: Store, settings: Settings) -> std::io::Result<Self> {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let signal = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("outbox".into())
            .spawn(move || run(&store, &settings, &signal))?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }

    /// Stops after the item in hand, and waits for that.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        let (stopped, wake) = &*self.stop;
        if let Ok(mut stopped) = stopped.lock() {
            *stopped = true;
        }
        wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.shut_down();
    }
}

fn run(store: &Store, settings: &Settings, stop: &(Mutex<bool>, Condvar)) {
    let client = match reqwest::blocking::Client::builder()
        .timeout(settings.timeout)
        // A redirect could lead anywhere, past the check of the address.
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(super::target::resolver(settings.policy))
        .user_agent(concat!("Vedtakslogg/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            log::error!("the outbox worker cannot make an HTTP client, and sends nothing: {error}");
            return;
        }
    };
    let mailer = match settings.reminders.as_ref().and_then(|r| r.mail.as_ref()) {
        Some(config) => match Mailer::new(config) {
            Ok(mailer) => Some(mailer),
            Err(error) => {
                log::error!("reminders are not sent: {error}");
                None
            }
        },
        None => None,
    };
    let (stopped, wake) = stop;
    let mut reminded_on = None;
    loop {
        if let Some(reminders) = &settings.reminders {
            let today = (settings.clock)().date();
            if reminded_on != Some(today) {
                match remind(store, reminders, mailer.is_some(), settings) {
                    Ok(()) => reminded_on = Some(today),
                    Err(error) => log::warn!("the reminders of {today} wait: {error}"),
                }
            }
        }
        let busy = match send_due(store, settings, &client, mailer.as_ref()) {
            Ok(sent) => sent > 0,
            Err(error) => {
                log::warn!("the outbox worker cannot reach the database: {error}");
                false
            }
        };
        let Ok(guard) = stopped.lock() else { return };
        if *guard {
            return;
        }
        // Straight on while there is work; else wait for the next look (or the stop).
        if !busy {
            let Ok((guard, _)) = wake.wait_timeout(guard, settings.poll) else {
                return;
            };
            if *guard {
                return;
            }
        }
    }
}

/// Takes due items and sends them; returns how many it took.
fn send_due(
    store: &Store,
    settings: &Settings,
    client: &reqwest::blocking::Client,
    mailer: Option<&Mailer>,
) -> StoreResult<usize> {
    let lease = TimeDelta::from_std(settings.lease).unwrap_or(TimeDelta::seconds(60));
    let claimed =
        store.run_blocking(|conn| outbox::claim(conn, (settings.clock)(), lease, BATCH))?;
    for item in &claimed {
        let started = Instant::now();
        let (response_status, error) = match item.channel.as_str() {
            "webhook" => post(client, settings, item),
            "mail" => (None, send_mail(mailer, item).err()),
            other => (None, Some(format!("no sender for the channel '{other}'"))),
        };
        if let Some(error) = &error {
            log::info!("delivery {} ({}) failed: {error}", item.id, item.event);
        }
        let attempt = Attempt {
            response_status,
            error,
            duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        };
        store.run_blocking(|conn| {
            outbox::finish(conn, &item.id, attempt, (settings.clock)(), &settings.retry)
        })?;
    }
    Ok(claimed.len())
}

/// Decides the reminders of the clock's day: queued as mails when mail is configured, else
/// only logged; and queues `decision.overdue` for points whose deadline has passed. Deciding them again the same day (a restart, another instance) adds nothing.
pub fn remind(
    store: &Store,
    reminders: &ReminderSettings,
    send: bool,
    settings: &Settings,
) -> StoreResult<()> {
    let now = (settings.clock)();
    let today = now.date();
    let rules = &reminders.rules;
    let overdue = store.run_blocking(|conn| reminders::overdue_events(conn, today, now))?;
    if overdue > 0 {
        log::info!("queued decision.overdue for {overdue} points");
    }
    if !send {
        for digest in store.run_blocking(|conn| reminders::plan(conn, today, rules))? {
            log::info!(
                "reminder of {today} to {} ({} points) not sent: mail is not configured",
                digest.recipient,
                digest.points.len()
            );
        }
        return Ok(());
    }
    let queued = store.run_blocking(|conn| {
        reminders::queue(conn, today, rules, now, |digest| {
            super::mail::render(digest, rules.days_before, &reminders.base_url)
        })
    })?;
    if !queued.is_empty() {
        log::info!("queued {} reminder mails for {today}", queued.len());
    }
    Ok(())
}

fn send_mail(mailer: Option<&Mailer>, item: &Claimed) -> Result<(), String> {
    let mailer = mailer.ok_or("mail is not configured (SMTP_URL, VEDTAKSLOGG_MAIL_FROM)")?;
    let mail: Mail = serde_json::from_str(&item.payload)
        .map_err(|e| format!("the queued mail cannot be read: {e}"))?;
    mailer.send(&mail)
}

/// POSTs a webhook delivery with the Standard Webhooks headers; the receiver's status and the
/// error, if it failed.
fn post(
    client: &reqwest::blocking::Client,
    settings: &Settings,
    item: &Claimed,
) -> (Option<i32>, Option<String>) {
    let (Some(url), Some(secret)) = (&item.url, &item.secret) else {
        return (None, Some("the endpoint is gone".into()));
    };
    // Checked again: the operator may have stopped allowing private addresses since.
    if let Err(refused) = settings.policy.check_url(url) {
        return (None, Some(refused.to_string()));
    }
    let message_id = format!("msg_{}", item.id);
    let timestamp = (settings.clock)().and_utc().timestamp();
    let signature = match signing::signature(secret, &message_id, timestamp, &item.payload) {
        Ok(signature) => signature,
        Err(error) => return (None, Some(error)),
    };
    let sent = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("webhook-id", &message_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(item.payload.clone())
        .send();
    match sent {
        Ok(response) if response.status().is_success() => {
            (Some(i32::from(response.status().as_u16())), None)
        }
        Ok(response) => {
            let status = response.status();
            (
                Some(i32::from(status.as_u16())),
                Some(format!("HTTP {}", status.as_u16())),
            )
        }
        Err(error) => (None, Some(describe(&error))),
    }
}

/// A send error with its causes, which say what actually went wrong (refused, timed out).
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
