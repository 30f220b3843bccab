//! The command line: `vedtakslogg [serve]`, `migrate`, `token`, `user`, `openapi`, `import`.

use clap::{Parser, Subcommand};

use crate::config::{Config, ConfigError, DEFAULT_LISTEN, DatabaseConfig};
use crate::domain::Role;
use crate::startup::Application;
use crate::store::Store;
use crate::store::tokens::{self, NewToken};

/// Vedtakslogg: a decision log for public committees.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// Where the log is stored: postgres://user:password@host/db, or a SQLite file path.
    /// Default: data/vedtakslogg.sqlite3 next to where it runs.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default): applies pending migrations, then listens.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage the personal accounts people sign in to the pages with.
    #[command(subcommand)]
    User(UserCommand),
    /// Print the OpenAPI document to standard output.
    Openapi,
    /// Import a notice or minutes (.docx, PDF or text) and print what was read and done as JSON.
    Import(ImportArgs),
    /// Decide the reminder mails of a day: print them (--dry-run), or queue them for the
    /// service to send. A reminder already decided is never queued again.
    Remind(RemindArgs),
}

#[derive(Debug, clap::Args)]
pub struct RemindArgs {
    /// Only print what would go out; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// The day, YYYY-MM-DD [default: today].
    #[arg(long)]
    date: Option<chrono::NaiveDate>,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The document: a Word .docx file, a PDF, or its text.
    file: std::path::PathBuf,
    /// Only tell what the import would do; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Read the document as this kind, whatever its title says.
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    /// Import even when most cases came out without decision points.
    #[arg(long)]
    force: bool,
    /// The name the history gives as the author of the changes.
    #[arg(long = "as", default_value = "cli")]
    actor: String,
}

/// `--kind notice|minutes`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum KindArg {
    Notice,
    Minutes,
}

impl From<KindArg> for crate::import::DocumentKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Notice => Self::Notice,
            KindArg::Minutes => Self::Minutes,
        }
    }
}

#[derive(Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// host:port to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "VEDTAKSLOGG_LISTEN")]
    listen: Option<String>,
    /// Let anyone read what is public without a token.
    #[arg(long, env = "VEDTAKSLOGG_PUBLIC_READ", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    public_read: bool,
    /// Write the first admin token of an empty database to this file (readable by the service's
    /// user alone) instead of printing it, so that it never reaches a log.
    #[arg(long, env = INITIAL_ADMIN_TOKEN_FILE_VAR)]
    initial_admin_token_file: Option<std::path::PathBuf>,
    /// Let webhooks target loopback, private and link-local addresses (refused by default,
    /// against server-side request forgery).
    #[arg(long, env = WEBHOOKS_ALLOW_PRIVATE_VAR, value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    webhooks_allow_private: bool,
}

const WEBHOOKS_ALLOW_PRIVATE_VAR: &str = "VEDTAKSLOGG_WEBHOOKS_ALLOW_PRIVATE";

/// The reminder rules and mail settings from the environment: `SMTP_URL` and
/// `VEDTAKSLOGG_MAIL_FROM` (both, or mail is off), `VEDTAKSLOGG_SECRETARIAT_EMAIL`,
/// `VEDTAKSLOGG_REMINDER_DAYS_BEFORE` (7) and `VEDTAKSLOGG_PUBLIC_URL` for the links.
pub fn reminder_settings(default_url: &str) -> Result<crate::notify::ReminderSettings, String> {
    let var = |name: &str| {
        std::env::var(name)
            .ok()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut rules = crate::store::reminders::Rules {
        secretariat: var("VEDTAKSLOGG_SECRETARIAT_EMAIL").map(|a| a.to_lowercase()),
        ..Default::default()
    };
    if let Some(days) = var("VEDTAKSLOGG_REMINDER_DAYS_BEFORE") {
        rules.days_before = days
            .parse()
            .ok()
            .filter(|d| (1..=365).contains(d))
            .ok_or(format!(
                "VEDTAKSLOGG_REMINDER_DAYS_BEFORE '{days}' is not a number of days from 1 to 365"
            ))?;
    }
    let mail = match (var("SMTP_URL"), var("VEDTAKSLOGG_MAIL_FROM")) {
        (Some(smtp_url), Some(from)) => {
            let config = crate::notify::mail::MailConfig { smtp_url, from };
            // A wrong URL or sender stops the start, rather than every mail later.
            crate::notify::mail::Mailer::new(&config)?;
            Some(config)
        }
        (None, None) => None,
        _ => {
            return Err(
                "set both SMTP_URL and VEDTAKSLOGG_MAIL_FROM to send mail, or neither".into(),
            );
        }
    };
    Ok(crate::notify::ReminderSettings {
        rules,
        mail,
        base_url: var("VEDTAKSLOGG_PUBLIC_URL").unwrap_or_else(|| default_url.to_owned()),
    })
}

/// `remind`: what the worker does each day, for a day of choice.
fn remind(database: &DatabaseConfig, args: &RemindArgs) -> Result<(), String> {
    let settings = reminder_settings(&format!("http://{DEFAULT_LISTEN}"))?;
    let (store, _) = Store::open(database).map_err(|e| e.to_string())?;
    let date = args.date.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let rules = &settings.rules;
    let render = |digest: &crate::store::reminders::Digest| {
        crate::notify::mail::render(digest, rules.days_before, &settings.base_url)
    };
    if args.dry_run {
        let digests = store
            .run_blocking(|conn| crate::store::reminders::plan(conn, date, rules))
            .map_err(|e| e.to_string())?;
        for digest in &digests {
            let mail = render(digest);
            println!(
                "Til: {}\nEmne: {}\n\n{}\n",
                mail.to, mail.subject, mail.text
            );
        }
        eprintln!(
            "dry run, nothing written: {} mails for {date}{}",
            digests.len(),
            if settings.mail.is_none() {
                " (mail is not configured: SMTP_URL, VEDTAKSLOGG_MAIL_FROM)"
            } else {
                ""
            }
        );
        return Ok(());
    }
    if settings.mail.is_none() {
        return Err(
            "mail is not configured (SMTP_URL and VEDTAKSLOGG_MAIL_FROM): nothing would send the \
             reminders; see them with --dry-run"
                .into(),
        );
    }
    let now = crate::store::clock_now();
    let queued = store
        .run_blocking(|conn| crate::store::reminders::queue(conn, date, rules, now, render))
        .map_err(|e| e.to_string())?;
    eprintln!(
        "queued {} mails for {date}; the running service sends them",
        queued.len()
    );
    Ok(())
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| matches!(v.trim(), "1" | "true" | "yes" | "on"))
}

const INITIAL_ADMIN_TOKEN_FILE_VAR: &str = "VEDTAKSLOGG_INITIAL_ADMIN_TOKEN_FILE";

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print its secret, which is shown only this once.
    Create {
        /// Who uses it; the history names changes made with it by this name.
        #[arg(long)]
        name: String,
        /// reader (AU, integrations), editor (the secretariat) or admin (manages tokens).
        #[arg(long)]
        role: Role,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token, by id or by the name of an active token.
    Revoke {
        /// The token's id or name.
        token: String,
    },
}

/// Where `user create` takes the password from in scripts; without it, the password is read
/// from standard input (asked for twice, unechoed, on a terminal).
pub const PASSWORD_VAR: &str = "VEDTAKSLOGG_PASSWORD";

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. The password comes from VEDTAKSLOGG_PASSWORD or standard input.
    Create {
        /// The address the person signs in with.
        #[arg(long)]
        email: String,
        /// The name the history gives for their changes.
        #[arg(long)]
        name: String,
        /// reader (AU), editor (the secretariat) or admin (manages accounts).
        #[arg(long)]
        role: Role,
    },
    /// List accounts.
    List,
    /// Disable an account (by address or id) and end its sessions.
    Disable { user: String },
    /// Enable a disabled account again.
    Enable { user: String },
    /// Set a new password (from VEDTAKSLOGG_PASSWORD or standard input); ends the sessions.
    Password { user: String },
}

/// Reads a password for `user`: from the environment, or standard input.
fn read_password() -> Result<String, String> {
    use std::io::IsTerminal;
    if let Ok(password) = std::env::var(PASSWORD_VAR) {
        return Ok(password);
    }
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the two passwords differ".into());
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn user(store: &Store, command: UserCommand) -> Result<(), String> {
    use crate::store::users::{self, NewUser};
    let show = |u: &users::User| {
        format!(
            "{} <{}> ({}{})",
            u.name,
            u.email,
            u.role,
            if u.disabled_at.is_some() {
                ", disabled"
            } else {
                ""
            }
        )
    };
    match command {
        UserCommand::Create { email, name, role } => {
            let password = read_password()?;
            let new = NewUser {
                email,
                name,
                role,
                password: Some(password),
            };
            let created = store
                .run_blocking(|conn| users::create(conn, new, "cli"))
                .map_err(|e| e.to_string())?;
            println!(
                "Created the account {} (id {}).",
                show(&created),
                created.id
            );
        }
        UserCommand::List => {
            for u in store.run_blocking(users::list).map_err(|e| e.to_string())? {
                println!("{}  {}", u.id, show(&u));
            }
        }
        UserCommand::Disable { user } => {
            let u = store
                .run_blocking(|conn| users::set_disabled(conn, &user, true))
                .map_err(|e| e.to_string())?;
            println!("Disabled {} and ended its sessions.", show(&u));
        }
        UserCommand::Enable { user } => {
            let u = store
                .run_blocking(|conn| users::set_disabled(conn, &user, false))
                .map_err(|e| e.to_string())?;
            println!("Enabled {}.", show(&u));
        }
        UserCommand::Password { user } => {
            let password = read_password()?;
            let u = store
                .run_blocking(|conn| users::set_password(conn, &user, &password))
                .map_err(|e| e.to_string())?;
            println!(
                "Set a new password for {} and ended its sessions.",
                show(&u)
            );
        }
    }
    Ok(())
}

/// Runs the command line; returns the process exit code.
pub fn run() -> std::process::ExitCode {
    let cli = Cli::parse();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    match execute(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            log::error!("{message}");
            eprintln!("error: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn execute(cli: Cli) -> Result<(), String> {
    let database =
        || DatabaseConfig::from_url(cli.database_url.as_deref()).map_err(|ConfigError(e)| e);
    // `serve` is the default; with no subcommand its flags come from the environment alone.
    let command = match cli.command {
        Some(command) => command,
        None => Command::Serve(ServeArgs {
            listen: std::env::var("VEDTAKSLOGG_LISTEN").ok(),
            public_read: env_flag("VEDTAKSLOGG_PUBLIC_READ"),
            initial_admin_token_file: std::env::var_os(INITIAL_ADMIN_TOKEN_FILE_VAR)
                .map(Into::into),
            webhooks_allow_private: env_flag(WEBHOOKS_ALLOW_PRIVATE_VAR),
        }),
    };
    match command {
        Command::Serve(args) => {
            let listen = args
                .listen
                .filter(|l| !l.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_LISTEN.into());
            let listen_url = format!("http://{listen}");
            let config = Config {
                database: database()?,
                listen,
                public_read: args.public_read,
                initial_admin_token_file: args
                    .initial_admin_token_file
                    .filter(|path| !path.as_os_str().is_empty()),
                webhooks_allow_private: args.webhooks_allow_private,
                reminders: reminder_settings(&listen_url)?,
            };
            actix_web::rt::System::new().block_on(async move {
                let application = Application::build(&config).map_err(|e| e.to_string())?;
                application.run().await.map_err(|e| e.to_string())
            })
        }
        Command::Migrate => {
            let config = database()?;
            let (_, applied) = Store::open(&config).map_err(|e| e.to_string())?;
            if applied.is_empty() {
                println!(
                    "{} database at {} is up to date",
                    config.backend,
                    config.display_url()
                );
            }
            for migration in applied {
                println!("applied {migration}");
            }
            Ok(())
        }
        Command::Token(command) => {
            let (store, _) = Store::open(&database()?).map_err(|e| e.to_string())?;
            token(&store, command).map_err(|e| e.to_string())
        }
        Command::User(command) => {
            let (store, _) = Store::open(&database()?).map_err(|e| e.to_string())?;
            user(&store, command)
        }
        Command::Remind(args) => remind(&database()?, &args),
        Command::Import(args) => {
            let bytes = std::fs::read(&args.file)
                .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
            let parsed = crate::import::read_document_as(&bytes, args.kind.map(Into::into))
                .map_err(|e| format!("{}: {e}", args.file.display()))?;
            for warning in &parsed.warnings {
                eprintln!("{}: warning: {warning}", args.file.display());
            }
            if !args.dry_run {
                crate::import::check_importable(&parsed, args.force).map_err(|e| {
                    format!("{}: {e} (--force imports it anyway)", args.file.display())
                })?;
            }
            let (store, _) = Store::open(&database()?).map_err(|e| e.to_string())?;
            let sha = crate::import::content_sha256(&bytes);
            let result = store
                .run_blocking(|conn| {
                    crate::import::apply::apply(conn, parsed, &sha, &args.actor, args.dry_run)
                })
                .map_err(|e| format!("{}: {e}", args.file.display()))?;
            let json = serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?;
            println!("{json}");
            let s = &result.import.summary;
            eprintln!(
                "{}{}: {} created, {} updated, {} unchanged, {} removed, {} kept as edited, {} skipped; {} warnings",
                if args.dry_run {
                    "dry run, nothing written; "
                } else {
                    ""
                },
                args.file.display(),
                s.created,
                s.updated,
                s.unchanged,
                s.removed,
                s.kept,
                s.skipped,
                result.parsed.warnings.len()
            );
            Ok(())
        }
        Command::Openapi => {
            let json =
                serde_json::to_string_pretty(&crate::api::openapi()).map_err(|e| e.to_string())?;
            println!("{json}");
            Ok(())
        }
    }
}

fn token(store: &Store, command: TokenCommand) -> Result<(), crate::store::StoreError> {
    match command {
        TokenCommand::Create { name, role } => {
            let name = name
                .parse()
                .map_err(|e| crate::store::StoreError::Invalid(format!("name: {e}")))?;
            let issued =
                store.run_blocking(|conn| tokens::create(conn, NewToken { name, role }, "cli"))?;
            println!(
                "Created the {} token '{}' (id {}).",
                issued.token.role, issued.token.name, issued.token.id
            );
            println!(
                "Its secret is shown only this once:\n\n    {}\n",
                issued.secret
            );
        }
        TokenCommand::List => {
            let list = store.run_blocking(tokens::list)?;
            println!(
                "{:<36}  {:<24}  {:<6}  {:<20}  {:<20}  revoked",
                "id", "name", "role", "created", "last used"
            );
            let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
                t.map_or_else(
                    || "-".to_owned(),
                    |t| t.format("%Y-%m-%d %H:%M").to_string(),
                )
            };
            for t in list {
                println!(
                    "{:<36}  {:<24}  {:<6}  {:<20}  {:<20}  {}",
                    t.id,
                    t.name,
                    t.role,
                    time(Some(t.created_at)),
                    time(t.last_used_at),
                    time(t.revoked_at)
                );
            }
        }
        TokenCommand::Revoke { token } => {
            let revoked = store.run_blocking(|conn| tokens::revoke(conn, &token))?;
            println!("Revoked the token '{}' (id {}).", revoked.name, revoked.id);
        }
    }
    Ok(())
}
