//! The command line: `vedtakslogg [serve]`, `migrate`, `token`, `openapi`, `import`.

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
    /// Print the OpenAPI document to standard output.
    Openapi,
    /// Import a notice or minutes (.docx or text) and print what was read and done as JSON.
    Import(ImportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The document: a Word .docx file, or its text.
    file: std::path::PathBuf,
    /// Only tell what the import would do; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// The name the history gives as the author of the changes.
    #[arg(long = "as", default_value = "cli")]
    actor: String,
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
            public_read: std::env::var("VEDTAKSLOGG_PUBLIC_READ")
                .is_ok_and(|v| matches!(v.trim(), "1" | "true" | "yes" | "on")),
            initial_admin_token_file: std::env::var_os(INITIAL_ADMIN_TOKEN_FILE_VAR)
                .map(Into::into),
        }),
    };
    match command {
        Command::Serve(args) => {
            let listen = args
                .listen
                .filter(|l| !l.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_LISTEN.into());
            let config = Config {
                database: database()?,
                listen,
                public_read: args.public_read,
                initial_admin_token_file: args
                    .initial_admin_token_file
                    .filter(|path| !path.as_os_str().is_empty()),
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
        Command::Import(args) => {
            let bytes = std::fs::read(&args.file)
                .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
            let parsed = crate::import::read_document(&bytes)
                .map_err(|e| format!("{}: {e}", args.file.display()))?;
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
