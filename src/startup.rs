//! Wires the store and the API into an actix-web server.

use std::net::TcpListener;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{self, Logger};
use actix_web::{App, HttpResponse, HttpServer, web};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::api;
use crate::api::auth::AccessSettings;
use crate::config::Config;
use crate::store::{Store, StoreError};

/// The whole application for a store: API, pages, docs, health checks and request logging;
/// with a count of failed sign-ins of its own (see [`app_with`]).
pub fn app(
    store: Store,
    access: AccessSettings,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    app_with(
        store,
        access,
        web::Data::new(crate::web::SignInThrottle::default()),
    )
}

/// The application, sharing the count of failed sign-ins with the other workers.
pub fn app_with(
    store: Store,
    access: AccessSettings,
    throttle: web::Data<crate::web::SignInThrottle>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    // The document is served by a route of its own, registered before the /api/v1 scope that
    // would otherwise answer every path below it.
    let app = App::new().route(api::OPENAPI_PATH, web::get().to(api::openapi_document));
    let (app, openapi) =
        api::register(app.into_utoipa_app().app_data(web::Data::new(store))).split_for_parts();
    app.app_data(web::Data::new(api::OpenApiDocument::new(openapi)))
        .app_data(web::Data::new(access))
        .app_data(throttle)
        .app_data(web::Data::new(api::overview::RenderedStats::default()))
        .app_data(web::PayloadConfig::new(api::json::MAX_BODY_BYTES))
        .app_data(
            web::PathConfig::default()
                .error_handler(|error, _| api::ApiError::BadRequest(error.to_string()).into()),
        )
        .configure(crate::web::routes)
        .service(web::redirect("/api/docs", "/api/docs/"))
        .service(
            SwaggerUi::new("/api/docs/{_:.*}")
                .config(utoipa_swagger_ui::Config::from(api::OPENAPI_PATH)),
        )
        .default_service(web::to(no_route))
        .wrap(middleware::from_fn(api::etag::conditional_get))
        .wrap(middleware::from_fn(api::auth::authenticate))
        // Method and path, never the query string: a calendar feed's query may hold a token.
        // (actix's Logger has no placeholder of its own for the method.)
        .wrap(
            Logger::new("%a \"%{method}xi %U\" %s %b %Dms")
                .custom_request_replace("method", |req| req.method().to_string()),
        )
}

/// Hands the first admin token to whoever starts the service: into a file only the service's
/// user can read, or else on the terminal (standard output, never the log).
fn deliver_first_token(secret: &str, file: Option<&std::path::Path>) -> Result<(), String> {
    let Some(path) = file else {
        println!(
            "\nThis is the first start of an empty database. The first admin token is:\n\n    {secret}\n\n\
             It is shown only this once. Use it as `Authorization: Bearer <token>` to create\n\
             the other tokens (POST /api/v1/tokens, or `vedtakslogg token create`).\n"
        );
        return Ok(());
    };
    write_private_file(path, &format!("{secret}\n")).map_err(|e| {
        format!(
            "cannot write the first admin token to {}: {e}; no token was made, the next start tries again",
            path.display()
        )
    })
}

/// Where the first admin account goes when the first token goes to a file: beside it.
fn account_file_of(token_file: &std::path::Path) -> std::path::PathBuf {
    let mut name = token_file.as_os_str().to_owned();
    name.push(".account");
    name.into()
}

fn deliver_first_account(
    email: &str,
    password: &str,
    file: Option<&std::path::Path>,
) -> Result<(), String> {
    let Some(path) = file else {
        println!(
            "\nThis is the first start without accounts. Sign in to the pages with the first admin\n\
             account (shown only this once; change the password with `vedtakslogg user password`):\n\n    \
             e-mail:   {email}\n    password: {password}\n"
        );
        return Ok(());
    };
    write_private_file(path, &format!("email: {email}\npassword: {password}\n")).map_err(|e| {
        format!(
            "cannot write the first admin account to {}: {e}; no account was made, the next start tries again",
            path.display()
        )
    })
}

/// Writes a file that only its owner may read, also when it existed with wider permissions.
fn write_private_file(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

/// A built server, bound and ready to run, with the worker that sends the outbox.
pub struct Application {
    server: Server,
    url: String,
    worker: crate::notify::Worker,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot start the worker that sends the outbox: {0}")]
    Worker(std::io::Error),
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: String,
        source: std::io::Error,
    },
}

impl Application {
    /// Opens the store (applying migrations), binds the listener and builds the server.
    pub fn build(config: &Config) -> Result<Self, StartError> {
        log::info!(
            "backend: {} ({})",
            config.database.backend,
            config.database.display_url()
        );
        let (store, applied) = Store::open(&config.database)?;
        if applied.is_empty() {
            log::info!("database schema is up to date");
        }
        for migration in &applied {
            log::info!("applied migration {migration}");
        }
        let listener = TcpListener::bind(&config.listen).map_err(|source| StartError::Listen {
            address: config.listen.clone(),
            source,
        })?;
        let address = listener.local_addr().map_err(|source| StartError::Listen {
            address: config.listen.clone(),
            source,
        })?;
        let url = format!("http://{address}");
        let token_file = config.initial_admin_token_file.as_deref();
        if let Some(issued) =
            store.bootstrap_admin(|issued| deliver_first_token(&issued.secret, token_file))?
        {
            log::info!(
                "created the first admin token, named '{}'{}",
                issued.token.name,
                token_file
                    .map(|path| format!(", and wrote it to {}", path.display()))
                    .unwrap_or_default()
            );
        }
        let account_file = token_file.map(account_file_of);
        if let Some(user) = store.run_blocking(|conn| {
            crate::store::users::bootstrap_admin(conn, |email, password| {
                deliver_first_account(email, password, account_file.as_deref())
            })
        })? {
            log::info!(
                "created the first admin account, {}{}",
                user.email,
                account_file
                    .map(|path| format!(", and wrote its password to {}", path.display()))
                    .unwrap_or_default()
            );
        }
        let access = AccessSettings {
            public_read: config.public_read,
        };
        if access.public_read {
            log::info!("public reading is on: anyone may read what is public without a token");
        }
        let policy = crate::notify::WebhookPolicy {
            allow_private: config.webhooks_allow_private,
        };
        if policy.allow_private {
            log::warn!("webhooks may target loopback and private addresses");
        }
        match &config.reminders.mail {
            Some(mail) => log::info!(
                "reminders are sent by mail from {} (owners {} days before a deadline, on the day, and weekly when overdue)",
                mail.from,
                config.reminders.rules.days_before
            ),
            None => log::info!(
                "mail is not configured (SMTP_URL and VEDTAKSLOGG_MAIL_FROM): reminders are computed and logged, not sent"
            ),
        }
        let worker = crate::notify::Worker::start(
            store.clone(),
            crate::notify::Settings {
                policy,
                reminders: Some(config.reminders.clone()),
                ..Default::default()
            },
        )
        .map_err(StartError::Worker)?;
        // One count of failed sign-ins for all the workers.
        let throttle = web::Data::new(crate::web::SignInThrottle::default());
        let policy = web::Data::new(policy);
        let rules = web::Data::new(config.reminders.rules.clone());
        let server = HttpServer::new(move || {
            app_with(store.clone(), access, throttle.clone())
                .app_data(policy.clone())
                .app_data(rules.clone())
        })
        .listen(listener)
        .map_err(|source| StartError::Listen {
            address: config.listen.clone(),
            source,
        })?
        // In-flight requests get this long to finish on SIGTERM or Ctrl-C.
        .shutdown_timeout(10)
        .run();
        Ok(Self {
            server,
            url,
            worker,
        })
    }

    /// The base URL the server answers on.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Serves until the process is told to stop; stops gracefully.
    pub async fn run(self) -> std::io::Result<()> {
        log::info!(
            "Vedtakslogg is serving at {}/ (API docs: {}/api/docs/)",
            self.url,
            self.url
        );
        let served = self.server.await;
        // The item in hand is sent (or its lease runs out for another instance to take).
        self.worker.stop();
        served
    }
}

/// The answer to a path nothing serves: the 404 page for a browser outside /api, else a
/// problem (405 with `Allow` for a path of the API's document, such as /healthz).
async fn no_route(
    req: actix_web::HttpRequest,
    document: Option<web::Data<api::OpenApiDocument>>,
) -> HttpResponse {
    let wants_page = req
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if wants_page && crate::web::is_page_path(req.path()) {
        crate::web::no_page(req).await
    } else {
        api::no_route(req, document).await
    }
}
