//! The command line: `vedtakslogg [serve]`, `vedtakslogg migrate`, `vedtakslogg openapi`.

use clap::{Parser, Subcommand};

use crate::config::{Config, ConfigError, DEFAULT_LISTEN, DatabaseConfig};
use crate::startup::Application;
use crate::store::Store;

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
    Serve {
        /// host:port to listen on.
        #[arg(long, env = "VEDTAKSLOGG_LISTEN", default_value = DEFAULT_LISTEN)]
        listen: String,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document to standard output.
    Openapi,
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
    match cli.command.unwrap_or(Command::Serve {
        listen: listen_from_env(),
    }) {
        Command::Serve { listen } => {
            let config = Config {
                database: database()?,
                listen,
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
        Command::Openapi => {
            let json = crate::api::openapi()
                .to_pretty_json()
                .map_err(|e| e.to_string())?;
            println!("{json}");
            Ok(())
        }
    }
}

/// `serve` is the default command, so its flag's environment variable must be read here too.
fn listen_from_env() -> String {
    std::env::var("VEDTAKSLOGG_LISTEN")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_LISTEN.into())
}
