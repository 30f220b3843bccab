//! Configuration from the environment, overridden by command-line flags (see `cli`).

use std::fmt;

/// The storage backend, chosen from the database URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        })
    }
}

/// Where the log is stored.
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    pub backend: Backend,
    /// A `postgres://` URL, or the path of the SQLite file.
    pub url: String,
    pub pool_size: u32,
}

/// The file used when `DATABASE_URL` is not set: a data directory next to where it runs.
pub const DEFAULT_SQLITE_PATH: &str = "data/vedtakslogg.sqlite3";

impl DatabaseConfig {
    /// Reads a `DATABASE_URL`: `postgres://` or `postgresql://` selects PostgreSQL; `sqlite://PATH`,
    /// `sqlite:PATH` or a plain path selects SQLite; none gives [`DEFAULT_SQLITE_PATH`].
    pub fn from_url(url: Option<&str>) -> Result<Self, ConfigError> {
        let url = url
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .unwrap_or(DEFAULT_SQLITE_PATH);
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self {
                backend: Backend::Postgres,
                url: url.to_owned(),
                pool_size: default_pool_size(),
            });
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.is_empty() || path.contains("://") {
            return Err(ConfigError(format!(
                "DATABASE_URL '{url}' is neither postgres://... nor a SQLite file path"
            )));
        }
        Ok(Self {
            backend: Backend::Sqlite,
            url: path.to_owned(),
            pool_size: default_pool_size(),
        })
    }

    /// The URL with any password hidden, for logs: the one in its user part and those given as
    /// query parameters (`?password=`, `&sslpassword=`).
    pub fn display_url(&self) -> String {
        if self.backend != Backend::Postgres {
            return self.url.clone();
        }
        let (base, query) = match self.url.split_once('?') {
            Some((base, query)) => (base, Some(query)),
            None => (self.url.as_str(), None),
        };
        let base = match base.split_once("://") {
            Some((scheme, rest)) => match rest.rsplit_once('@') {
                Some((credentials, host)) => match credentials.split_once(':') {
                    Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
                    None => base.to_owned(),
                },
                None => base.to_owned(),
            },
            None => base.to_owned(),
        };
        let Some(query) = query else {
            return base;
        };
        let query: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _))
                    if ["password", "sslpassword"].contains(&key.to_ascii_lowercase().as_str()) =>
                {
                    format!("{key}=***")
                }
                _ => pair.to_owned(),
            })
            .collect();
        format!("{base}?{}", query.join("&"))
    }
}

/// Connections enough to keep every core busy while some wait on the disk or the network, and
/// no more: each one beyond that only adds contention.
fn default_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    u32::try_from(cores * 2 + 2).unwrap_or(8).clamp(4, 32)
}

/// The whole configuration of the service.
#[derive(Debug, Clone)]
pub struct Config {
    pub database: DatabaseConfig,
    /// `host:port` to listen on; port 0 picks a free port.
    pub listen: String,
    /// Whether anyone may read what is public without a token.
    pub public_read: bool,
    /// Where the first admin token of an empty database goes instead of standard output (which
    /// is often a log, such as `docker logs`).
    pub initial_admin_token_file: Option<std::path::PathBuf>,
    /// Whether webhooks may target loopback, private and link-local addresses.
    pub webhooks_allow_private: bool,
    /// Reminder rules and mail (see [`crate::notify::ReminderSettings`]).
    pub reminders: crate::notify::ReminderSettings,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chooses_the_backend_from_the_url() {
        let pg = DatabaseConfig::from_url(Some("postgres://u:secret@db:5432/vedtakslogg")).unwrap();
        assert_eq!(pg.backend, Backend::Postgres);
        assert_eq!(pg.display_url(), "postgres://u:***@db:5432/vedtakslogg");
        let in_query = DatabaseConfig::from_url(Some(
            "postgres://u@db/v?sslmode=require&password=secret&PASSWORD=s2&sslpassword=s3",
        ))
        .unwrap();
        assert_eq!(
            in_query.display_url(),
            "postgres://u@db/v?sslmode=require&password=***&PASSWORD=***&sslpassword=***"
        );
        let both = DatabaseConfig::from_url(Some("postgresql://u:p@ss@db/v?password=x")).unwrap();
        assert_eq!(both.display_url(), "postgresql://u:***@db/v?password=***");
        let default = DatabaseConfig::from_url(None).unwrap();
        assert_eq!(
            (default.backend, default.url.as_str()),
            (Backend::Sqlite, DEFAULT_SQLITE_PATH)
        );
        let file = DatabaseConfig::from_url(Some("sqlite:///tmp/x.db")).unwrap();
        assert_eq!(file.url, "/tmp/x.db");
        assert!(DatabaseConfig::from_url(Some("mysql://x")).is_err());
    }
}
