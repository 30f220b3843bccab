# syntax=docker/dockerfile:1
#
# Vedtakslogg as a container image.
#
#   docker build -t vedtakslogg .
#   docker run --rm -p 8080:8080 vedtakslogg          # SQLite in /var/lib/vedtakslogg/data
#   docker run --rm -p 8080:8080 -e DATABASE_URL=postgres://user:pw@host:5432/db vedtakslogg
#
# Then open http://localhost:8080/api/docs/. See docker-compose.yml for a ready PostgreSQL setup.

# ---- Stage 1: build ---------------------------------------------------------------------------
# The crate bundles SQLite, libpq and OpenSSL, so it needs only what this image already has:
# a C compiler, make and perl. No -dev packages.
FROM rust:1-bookworm AS build
WORKDIR /build

# Dependencies first, against placeholder sources, so that this slow layer is reused as long as
# Cargo.toml and Cargo.lock do not change.
# The manifest names a test and a bench target, so their sources must be there for cargo to read it.
COPY Cargo.toml Cargo.lock ./
# How the bundled SQLite is built (its memory map's cap), so it is in the dependencies' layer.
COPY .cargo ./.cargo
COPY tests ./tests
COPY benches ./benches
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && cargo build --release --locked --bin vedtakslogg \
    && rm -rf src

# The real sources. migrations/ is embedded into the binary at compile time.
COPY src ./src
COPY migrations ./migrations
COPY openapi ./openapi
# Touch the crate roots so that cargo rebuilds the crate instead of keeping the placeholder
# (COPY keeps the files' original timestamps, which may be older than the placeholder build).
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked --bin vedtakslogg

# ---- Stage 2: runtime -------------------------------------------------------------------------
FROM debian:bookworm-slim

# curl is for the health check.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*

# An unprivileged user, and a working directory it owns: without DATABASE_URL the log is the
# SQLite file data/vedtakslogg.sqlite3 under it.
RUN groupadd --system vedtakslogg \
    && useradd --system --gid vedtakslogg --home-dir /var/lib/vedtakslogg \
        --shell /usr/sbin/nologin vedtakslogg \
    && mkdir -p /var/lib/vedtakslogg \
    && chown vedtakslogg:vedtakslogg /var/lib/vedtakslogg
WORKDIR /var/lib/vedtakslogg

COPY --from=build /build/target/release/vedtakslogg /usr/local/bin/vedtakslogg

USER vedtakslogg
ENV VEDTAKSLOGG_LISTEN=0.0.0.0:8080 RUST_LOG=info
EXPOSE 8080

# /readyz answers 200 only when the database answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1

# `serve` applies pending migrations, then listens; `docker run IMAGE migrate` only migrates.
ENTRYPOINT ["vedtakslogg"]
CMD ["serve"]
