//! The test harness: every test gets its own database (a SQLite file in a temporary directory,
//! or a PostgreSQL schema of its own) and drives the real application over HTTP.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::{Method, StatusCode};
use actix_web::test::{self, TestRequest};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::connection::{Instrumentation, InstrumentationEvent, SimpleConnection};
use diesel::{Connection, PgConnection};
use serde_json::{Value, json};
use vedtakslogg::api::auth::AccessSettings;
use vedtakslogg::config::{Backend, DatabaseConfig};
use vedtakslogg::domain::Role;
use vedtakslogg::notify::WebhookPolicy;
use vedtakslogg::store::tokens::{self, NewToken};
use vedtakslogg::store::{DbConnection, Store, StoreError};

/// The environment variable that holds the PostgreSQL server for tests; each test makes a
/// schema of its own in that database and drops it afterwards.
pub const POSTGRES_URL_VAR: &str = "VEDTAKSLOGG_TEST_POSTGRES_URL";

/// Generates one test per backend for each scenario `async fn name(backend: Backend)`. The
/// PostgreSQL variant is skipped, with a note, when no PostgreSQL test URL is set.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name(vedtakslogg::config::Backend::Sqlite).await
                }
            )+
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    if $crate::helpers::postgres_url().is_some() {
                        super::$name(vedtakslogg::config::Backend::Postgres).await
                    } else {
                        eprintln!("skipped: set {} to run this on PostgreSQL", $crate::helpers::POSTGRES_URL_VAR);
                    }
                }
            )+
        }
    };
}

pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|u| !u.trim().is_empty())
}

type Call =
    Box<dyn Fn(actix_http::Request) -> Pin<Box<dyn Future<Output = ServiceResponse<BoxBody>>>>>;

/// The application under test, with its own database.
pub struct TestApp {
    call: Call,
    pub store: Store,
    tokens: std::collections::HashMap<Who, String>,
    // Dropped last: the database outlives the application that uses it.
    _database: TestDatabase,
}

pub enum TestDatabase {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, schema: String },
}

impl TestDatabase {
    /// A database of its own for one test: a SQLite file in a temporary directory, or a
    /// PostgreSQL schema that is dropped with it.
    pub fn create(backend: Backend) -> (DatabaseConfig, TestDatabase) {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let path = dir.path().join("data").join("test.sqlite3");
                let config =
                    DatabaseConfig::from_url(Some(path.to_str().expect("a UTF-8 path"))).unwrap();
                (config, TestDatabase::Sqlite(dir))
            }
            Backend::Postgres => {
                let admin_url = postgres_url().expect("a PostgreSQL test URL");
                let schema = format!("test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = PgConnection::establish(&admin_url).unwrap_or_else(|e| {
                    panic!("PostgreSQL at {POSTGRES_URL_VAR} is unreachable: {e}")
                });
                conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
                    .expect("a schema of its own");
                let separator = if admin_url.contains('?') { '&' } else { '?' };
                // The application name tells this test's connections apart from other tests'.
                let url = format!(
                    "{admin_url}{separator}options=-csearch_path%3D{schema}&application_name={schema}"
                );
                let mut config = DatabaseConfig::from_url(Some(&url)).unwrap();
                config.pool_size = 4;
                (config, TestDatabase::Postgres { admin_url, schema })
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::Postgres { admin_url, schema } = self
            && let Ok(mut conn) = PgConnection::establish(admin_url)
        {
            let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// A response, with its body read.
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, printing the body when it differs, and returns the JSON body.
    #[track_caller]
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            String::from_utf8_lossy(&self.body)
        );
        if self.body.is_empty() {
            Value::Null
        } else {
            self.json()
        }
    }

    /// Asserts a problem+json answer with this status, and returns its detail.
    #[track_caller]
    pub fn expect_problem(&self, status: u16) -> String {
        let body = self.expect(status);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{body}"
        );
        assert_eq!(body["status"], status, "{body}");
        assert_eq!(body["type"], "about:blank");
        assert!(
            body["title"].as_str().is_some_and(|t| !t.is_empty()),
            "{body}"
        );
        body["detail"].as_str().expect("a detail").to_owned()
    }
}

/// Who sends a request: nobody in particular, or the holder of a token of a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    Anonymous,
    Reader,
    Editor,
    Admin,
}

/// The names of the test tokens, as the history shows them.
pub const EDITOR: &str = "Sekretariatet";
pub const READER: &str = "AU";

impl TestApp {
    /// The application on its own database, with public reading off.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, AccessSettings { public_read: false }).await
    }

    pub async fn spawn_with(backend: Backend, access: AccessSettings) -> Self {
        Self::spawn_configured(backend, access, WebhookPolicy::default()).await
    }

    /// The application with webhooks allowed to target loopback, where tests' receivers are.
    pub async fn spawn_allowing_private_webhooks(backend: Backend) -> Self {
        Self::spawn_configured(
            backend,
            AccessSettings { public_read: false },
            WebhookPolicy {
                allow_private: true,
            },
        )
        .await
    }

    async fn spawn_configured(
        backend: Backend,
        access: AccessSettings,
        policy: WebhookPolicy,
    ) -> Self {
        // The service's own log (errors behind a 500 among it), shown with a failing test.
        let _ = env_logger::builder().is_test(true).try_init();
        let (config, database) = TestDatabase::create(backend);
        let (store, applied) = Store::open(&config).expect("the store opens and migrates");
        assert!(!applied.is_empty(), "a fresh database gets every migration");
        let token = |name: &str, role: Role| {
            store
                .run_blocking(|conn| {
                    tokens::create(
                        conn,
                        NewToken {
                            name: name.parse().unwrap(),
                            role,
                        },
                        "test",
                    )
                })
                .expect("a test token")
                .secret
        };
        let tokens = [
            (Who::Admin, token("admin", Role::Admin)),
            (Who::Editor, token(EDITOR, Role::Editor)),
            (Who::Reader, token(READER, Role::Reader)),
        ]
        .into_iter()
        .collect();
        let service = Rc::new(
            test::init_service(
                vedtakslogg::startup::app(store.clone(), access)
                    .app_data(actix_web::web::Data::new(policy)),
            )
            .await,
        );
        let call: Call = Box::new(move |request| {
            let service = Rc::clone(&service);
            Box::pin(async move {
                test::call_service(&*service, request)
                    .await
                    .map_into_boxed_body()
            })
        });
        Self {
            call,
            store,
            tokens,
            _database: database,
        }
    }

    /// The secret of a test token.
    /// On PostgreSQL: ends every connection the application holds, as a server restart or a
    /// network cut would; returns how many were ended.
    pub fn cut_database_connections(&self) -> usize {
        let TestDatabase::Postgres { admin_url, schema } = &self._database else {
            panic!("only a PostgreSQL connection can be cut");
        };
        use diesel::RunQueryDsl;
        let mut conn = PgConnection::establish(admin_url).expect("PostgreSQL answers");
        #[derive(diesel::QueryableByName)]
        struct Ended {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            count: i64,
        }
        let ended: Ended = diesel::sql_query(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS count \
             FROM pg_stat_activity WHERE application_name = $1",
        )
        .bind::<diesel::sql_types::Text, _>(schema)
        .get_result(&mut conn)
        .expect("the connections are ended");
        ended.count as usize
    }

    pub fn token(&self, who: Who) -> Option<&str> {
        self.tokens.get(&who).map(String::as_str)
    }

    /// Requests sent as `who`.
    pub fn as_(&self, who: Who) -> Client<'_> {
        Client {
            app: self,
            token: self.token(who).map(str::to_owned),
        }
    }

    /// Requests sent with this bearer token.
    pub fn with_token(&self, token: &str) -> Client<'_> {
        Client {
            app: self,
            token: Some(token.to_owned()),
        }
    }

    async fn call(&self, request: TestRequest) -> TestResponse {
        let response = (self.call)(request.to_request()).await;
        let status = response.status();
        let headers = response.headers().clone();
        let body = actix_web::body::to_bytes(response.into_body())
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    // The secretariat's requests, which most tests are about.

    pub fn get<'a>(&'a self, uri: &str) -> impl Future<Output = TestResponse> + use<'a> {
        self.as_(Who::Editor).get(uri)
    }

    pub fn delete<'a>(&'a self, uri: &str) -> impl Future<Output = TestResponse> + use<'a> {
        self.as_(Who::Editor).delete(uri)
    }

    pub fn post<'a>(
        &'a self,
        uri: &str,
        body: &Value,
    ) -> impl Future<Output = TestResponse> + use<'a> {
        self.as_(Who::Editor).post(uri, body)
    }

    /// A change as an editor makes it: read the record for its ETag, then send the change
    /// with it in If-Match.
    pub async fn patch(&self, uri: &str, body: &Value) -> TestResponse {
        let current = self.get(uri).await;
        match current.header("etag") {
            Some(etag) => self.as_(Who::Editor).patch_if(uri, etag, body).await,
            None => self.as_(Who::Editor).patch_if(uri, "\"0\"", body).await,
        }
    }

    pub async fn send_raw(
        &self,
        method: Method,
        uri: &str,
        content_type: &str,
        body: impl Into<Vec<u8>>,
    ) -> TestResponse {
        let body: Vec<u8> = body.into();
        self.as_(Who::Editor)
            .send(
                TestRequest::default()
                    .method(method)
                    .uri(uri)
                    .insert_header(("content-type", content_type))
                    .set_payload(body),
            )
            .await
    }

    // Request helpers that read like the log's own words.

    pub async fn committee(&self, code: &str, name: &str) -> Value {
        self.post("/api/v1/committees", &json!({"code": code, "name": name}))
            .await
            .expect(201)
    }

    pub async fn meeting(&self, committee: &str, date: &str) -> Value {
        self.post(
            "/api/v1/meetings",
            &json!({"committee": committee, "date": date}),
        )
        .await
        .expect(201)
    }

    pub async fn case(&self, meeting: &Value, number: &str, title: &str) -> Value {
        self.post(
            "/api/v1/cases",
            &json!({"meeting_id": meeting["id"], "number": number, "title": title}),
        )
        .await
        .expect(201)
    }

    pub async fn decision(
        &self,
        case: &Value,
        position: &str,
        kind: &str,
        owners: &[&str],
        deadline: Option<&str>,
    ) -> Value {
        let owners: Vec<Value> = owners.iter().map(|o| json!({"owner": o})).collect();
        self.post(
            "/api/v1/decisions",
            &json!({
                "case_id": case["id"], "position": position, "kind": kind,
                "text": format!("Punkt {position} i sak {}", case["number"].as_str().unwrap_or_default()),
                "owners": owners, "deadline": deadline
            }),
        )
        .await
        .expect(201)
    }

    /// Runs `work` on a connection of the store and counts the statements it sends; returns
    /// what `work` returned and the count.
    pub async fn count_queries<T, F>(&self, work: F) -> (T, usize)
    where
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        self.store
            .run(|conn| {
                let counter = Arc::new(AtomicUsize::new(0));
                conn.set_instrumentation(QueryCounter(Arc::clone(&counter)));
                let result = work(conn);
                conn.set_instrumentation(None::<QueryCounter>);
                Ok((result?, counter.load(Ordering::SeqCst)))
            })
            .await
            .expect("the work succeeds")
    }

    /// The ids of the items of a list response, in order.
    pub async fn list_ids(&self, uri: &str) -> Vec<String> {
        let body = self.get(uri).await.expect(200);
        ids(&body["items"])
    }
}

/// Requests sent with one token, or none.
pub struct Client<'a> {
    app: &'a TestApp,
    token: Option<String>,
}

impl<'a> Client<'a> {
    // The request is built before the future is returned, so that the future borrows only the
    // application: tests can start many requests at once.

    pub fn send(&self, request: TestRequest) -> impl Future<Output = TestResponse> + use<'a> {
        let request = match &self.token {
            Some(token) => request.insert_header(("authorization", format!("Bearer {token}"))),
            None => request,
        };
        self.app.call(request)
    }

    pub fn get(&self, uri: &str) -> impl Future<Output = TestResponse> + use<'a> {
        self.send(TestRequest::get().uri(uri))
    }

    pub fn delete(&self, uri: &str) -> impl Future<Output = TestResponse> + use<'a> {
        self.send(TestRequest::delete().uri(uri))
    }

    pub fn post(&self, uri: &str, body: &Value) -> impl Future<Output = TestResponse> + use<'a> {
        self.send(TestRequest::post().uri(uri).set_json(body))
    }

    /// A PATCH with this If-Match.
    pub fn patch_if(
        &self,
        uri: &str,
        etag: &str,
        body: &Value,
    ) -> impl Future<Output = TestResponse> + use<'a> {
        self.send(
            TestRequest::default()
                .method(Method::PATCH)
                .uri(uri)
                .insert_header(("if-match", etag.to_owned()))
                .set_json(body),
        )
    }

    /// A PATCH without If-Match.
    pub fn patch_unconditionally(
        &self,
        uri: &str,
        body: &Value,
    ) -> impl Future<Output = TestResponse> + use<'a> {
        self.send(
            TestRequest::default()
                .method(Method::PATCH)
                .uri(uri)
                .set_json(body),
        )
    }
}

/// Counts the statements a connection starts.
struct QueryCounter(Arc<AtomicUsize>);

impl Instrumentation for QueryCounter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

pub fn ids(items: &Value) -> Vec<String> {
    items
        .as_array()
        .expect("an array")
        .iter()
        .map(|i| i["id"].as_str().expect("an id").to_owned())
        .collect()
}
