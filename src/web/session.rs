//! Who is looking at a page: a person signed in (a session in the database, named by a cookie),
//! or someone anonymous; and the checks every page and form makes on them.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use super::WebError;
use crate::api::auth::AccessSettings;
use crate::domain::Role;
use crate::store::sessions::{self, SessionUser};
use crate::store::{Store, Visibility};

/// The cookie of a session.
pub const SESSION_COOKIE: &str = "vl_sesjon";
/// The cookie that carries the CSRF token of forms shown before sign-in (double submit).
pub const FORM_COOKIE: &str = "vl_skjema";

/// Who made a request of a page.
pub struct Visitor {
    pub user: Option<SessionUser>,
    public_read: bool,
    /// The CSRF token of the anonymous form cookie, if the browser sent one.
    form_token: Option<String>,
    path: String,
}

impl Visitor {
    /// What the visitor may read: everything when signed in; what is public when anonymous
    /// and public reading is on; otherwise they are sent to sign in.
    pub fn reader(&self) -> Result<Visibility, WebError> {
        match &self.user {
            Some(_) => Ok(Visibility::All),
            None if self.public_read => Ok(Visibility::PublicOnly),
            None => Err(self.sign_in()),
        }
    }

    /// The person, if they may change the log (editor or admin).
    pub fn editor(&self) -> Result<&SessionUser, WebError> {
        self.with_role(Role::Editor)
    }

    pub fn with_role(&self, role: Role) -> Result<&SessionUser, WebError> {
        let user = self.user.as_ref().ok_or_else(|| self.sign_in())?;
        if user.role.allows(role) {
            Ok(user)
        } else {
            Err(WebError::Forbidden(format!(
                "Du er logget inn som {}. Dette kan bare en {} gjøre.",
                super::format::role(user.role),
                super::format::role(role)
            )))
        }
    }

    /// Whether the visitor may change the log: the pages show edit controls only then.
    pub fn can_edit(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.role.allows(Role::Editor))
    }

    fn sign_in(&self) -> WebError {
        WebError::SignIn {
            next: self.path.clone(),
        }
    }

    /// The CSRF token forms of this visitor carry: the session's, or before sign-in the
    /// form cookie's (a new one is set by [`Visitor::form_cookie`] when there is none).
    pub fn csrf_token(&self) -> Option<&str> {
        match &self.user {
            Some(user) => Some(&user.csrf_token),
            None => self.form_token.as_deref(),
        }
    }

    /// Checks the CSRF token of a form against the visitor's. A form without the right token
    /// is refused whatever else it holds.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), WebError> {
        match (self.csrf_token(), sent) {
            (Some(expected), Some(sent)) if constant_time_eq(expected, sent) => Ok(()),
            _ => Err(WebError::Forbidden(
                "Skjemaet manglet en gyldig sikkerhetskode (CSRF). Det kan skyldes at siden \
                 var gammel eller at du har logget ut i mellomtiden. Last siden på nytt og \
                 prøv igjen."
                    .into(),
            )),
        }
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Whether the request came over https (directly or, as the proxy says, to it): then cookies
/// are marked Secure.
pub fn is_https(req: &HttpRequest) -> bool {
    req.connection_info().scheme() == "https"
}

/// A cookie the pages set: HttpOnly, SameSite=Lax, for the whole site, Secure over https.
pub fn cookie(req: &HttpRequest, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(is_https(req))
        .finish()
}

/// A cookie that removes the one of that name.
pub fn removal(req: &HttpRequest, name: &'static str) -> Cookie<'static> {
    let mut cookie = cookie(req, name, String::new());
    cookie.make_removal();
    cookie
}

impl FromRequest for Visitor {
    type Error = WebError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, WebError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let public_read = req
            .app_data::<web::Data<AccessSettings>>()
            .is_some_and(|settings| settings.public_read);
        let secret = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
        let form_token = req
            .cookie(FORM_COOKIE)
            .map(|c| c.value().to_owned())
            .filter(|t| !t.is_empty());
        let path = match req.query_string() {
            "" => req.path().to_owned(),
            query => format!("{}?{query}", req.path()),
        };
        let store = req.app_data::<web::Data<Store>>().cloned();
        Box::pin(async move {
            let user = match (secret, store) {
                (Some(secret), Some(store)) if !secret.is_empty() => {
                    store
                        .run(move |conn| sessions::authenticate(conn, &secret))
                        .await?
                }
                (Some(_), None) => {
                    return Err(WebError::Unavailable("no store is configured".into()));
                }
                _ => None,
            };
            Ok(Visitor {
                user,
                public_read,
                form_token,
                path,
            })
        })
    }
}

/// Slows down repeated failed sign-ins, per address and per client: after a few failures each
/// attempt waits, longer with every failure, so that guessing a password takes years rather
/// than hours. Kept in memory: each instance of the service counts for itself.
#[derive(Debug, Default)]
pub struct SignInThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl SignInThrottle {
    /// Failures allowed before attempts are slowed down.
    const FREE: u32 = 3;
    /// Failures are forgotten this long after the last one.
    const MEMORY: Duration = Duration::from_secs(15 * 60);
    const MAX_DELAY: Duration = Duration::from_secs(10);
    const MAX_ENTRIES: usize = 10_000;

    /// How long an attempt for these keys waits before its password is checked.
    pub fn delay(&self, keys: &[String]) -> Duration {
        let Ok(failures) = self.failures.lock() else {
            return Self::MAX_DELAY;
        };
        keys.iter()
            .filter_map(|key| failures.get(key))
            .filter(|(_, at)| at.elapsed() < Self::MEMORY)
            .map(|(count, _)| Self::delay_after(*count))
            .max()
            .unwrap_or_default()
    }

    /// 0 for the first few failures, then 0.5 s, 1 s, 2 s, ... up to 10 s.
    pub fn delay_after(failures: u32) -> Duration {
        match failures.checked_sub(Self::FREE) {
            None | Some(0) => Duration::ZERO,
            Some(over) => Duration::from_millis(500)
                .saturating_mul(1 << (over - 1).min(5))
                .min(Self::MAX_DELAY),
        }
    }

    pub fn failed(&self, keys: &[String]) {
        if let Ok(mut failures) = self.failures.lock() {
            if failures.len() >= Self::MAX_ENTRIES {
                failures.retain(|_, (_, at)| at.elapsed() < Self::MEMORY);
            }
            for key in keys {
                let entry = failures.entry(key.clone()).or_insert((0, Instant::now()));
                if entry.1.elapsed() >= Self::MEMORY {
                    entry.0 = 0;
                }
                entry.0 += 1;
                entry.1 = Instant::now();
            }
        }
    }

    /// A successful sign-in clears the address's count (not the client's: one office shares
    /// an address, and a guesser could sign in to their own account between guesses).
    pub fn succeeded(&self, email_key: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(email_key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_sign_ins_wait_longer_and_longer() {
        let delays: Vec<u64> = (0..12)
            .map(|n| SignInThrottle::delay_after(n).as_millis() as u64)
            .collect();
        assert_eq!(
            delays,
            [0, 0, 0, 0, 500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]
        );
        let throttle = SignInThrottle::default();
        let keys = [
            "email:kari@kommune.no".to_owned(),
            "client:10.0.0.1".to_owned(),
        ];
        for _ in 0..5 {
            throttle.failed(&keys);
        }
        assert_eq!(throttle.delay(&keys[1..]), Duration::from_secs(1));
        throttle.succeeded(&keys[0]);
        assert_eq!(throttle.delay(&keys[..1]), Duration::ZERO);
        assert_eq!(throttle.delay(&keys), Duration::from_secs(1));
    }

    #[test]
    fn tokens_compare_in_constant_time() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
