use vedtakslogg::config::Backend;

use crate::helpers::TestApp;

crate::on_both_backends!(health_and_readiness_answer_ok);

async fn health_and_readiness_answer_ok(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(app.get("/healthz").await.expect(200)["status"], "ok");
    assert_eq!(app.get("/readyz").await.expect(200)["status"], "ok");
    let docs = app.get("/api/docs/").await;
    assert_eq!(docs.status, 200);
    assert!(
        String::from_utf8_lossy(&docs.body).contains("swagger"),
        "the Swagger UI page is built in"
    );
}
