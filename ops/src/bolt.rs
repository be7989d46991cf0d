//! Talking to a target over Bolt (neo4rs), for the controller and the plugin: `SHOW DATABASE`,
//! `CREATE`/`START`/`STOP DATABASE`, the user's hook statements, and the rows of the health checks.
//! What is sent is decided in `neo4j_api::restore::cypher` and `neo4j_api::health`.

use std::time::Duration;

use futures::future::BoxFuture;
use neo4j_api::health::checks::Row;
use neo4j_api::restore::cypher::{
    Statement, database_state, seed_server, seeded, show_alias, show_database, show_servers, statements,
};
use neo4j_api::restore::machine::{Cypher, Database};
use neo4j_api::restore::observed::Alias;
use neo4j_api::types::DatabaseTopology;
use neo4rs::{ConfigBuilder, Graph, query};

mod endpoint;
mod size;

pub use endpoint::{credentials, endpoint, endpoint_as};

/// Where and as whom to connect.
#[derive(Clone)]
pub struct Endpoint {
    /// `neo4j://host:7687` (a cluster: routed) or `bolt://host:7687` (one server).
    pub uri: String,
    /// The admin user.
    pub user: String,
    /// Its password (never logged).
    pub password: String,
    /// The CA (PEM) to verify the server's certificate with, when the target uses TLS (then the
    /// URI scheme is `neo4j+s`/`bolt+s`); verification is never skipped.
    pub ca: Option<Vec<u8>>,
}

/// A CA written for one connection: neo4rs reads its CA from a file. A name of its own per call
/// (concurrent reconciles of other targets never share one), readable by us only, in the
/// controller's writable temp dir (an emptyDir at /tmp: the root filesystem is read-only), and
/// removed when the connection is done.
pub struct CaFile(std::path::PathBuf);

impl CaFile {
    /// Writes `pem` to a new file.
    pub fn write(pem: &[u8]) -> Result<Self, String> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("neo4j-ca-{}-{n}.crt", std::process::id()));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|err| format!("cannot keep the target's CA in {}: {err}", path.display()))?;
        file.write_all(pem).map_err(|err| format!("cannot keep the target's CA in {}: {err}", path.display()))?;
        Ok(Self(path))
    }

    /// Where it is.
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for CaFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A connection, and the CA file it reads while it lives.
struct Connection {
    graph: Graph,
    _ca: Option<CaFile>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint").field("uri", &self.uri).field("user", &self.user).finish_non_exhaustive()
    }
}

/// What the restore controller needs from the target's database server.
pub trait DatabaseAdmin: Send + Sync {
    /// The state of database `name`.
    fn show<'a>(&'a self, endpoint: &'a Endpoint, name: &'a str) -> BoxFuture<'a, Result<Database, String>>;
    /// A connection for reading answers, statement after statement (the health checks).
    fn open<'a>(&'a self, endpoint: &'a Endpoint) -> BoxFuture<'a, Result<Box<dyn Session>, String>>;
    /// Runs `cypher` for database `name`.
    fn run<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        name: &'a str,
        cypher: &'a Cypher,
    ) -> BoxFuture<'a, Result<(), String>>;
}

/// One connection, for statements that read.
pub trait Session: Send + Sync {
    /// The rows `statement` answers (within [`MAX_ROWS`] and [`MAX_BYTES`]), as column to value.
    fn rows<'a>(&'a self, statement: &'a Statement) -> BoxFuture<'a, Result<Vec<Row>, String>>;
}

/// The real one, over neo4rs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Bolt;

fn connect(endpoint: &Endpoint) -> Result<Connection, String> {
    let mut config = ConfigBuilder::new()
        .uri(endpoint.uri.clone())
        .user(endpoint.user.clone())
        .password(endpoint.password.clone())
        .max_connections(1)
        .connection_timeout(Duration::from_secs(10));
    let ca = endpoint.ca.as_deref().map(CaFile::write).transpose()?;
    if let Some(ca) = &ca {
        config = config.with_client_certificate(ca.path());
    }
    let config = config.build().map_err(|err| format!("Bolt configuration for {}: {err}", endpoint.uri))?;
    let graph = Graph::connect(config).map_err(|err| format!("cannot connect to {}: {err}", endpoint.uri))?;
    Ok(Connection { graph, _ca: ca })
}

fn query_of(statement: &Statement) -> neo4rs::Query {
    let mut q = query(&statement.text);
    for (key, value) in &statement.params {
        q = q.param(key, value.clone());
    }
    q
}

/// An answer read within [`MAX_ROWS`] and [`MAX_BYTES`]: our statements answer a row per database
/// allocation, server, index or probe value, of a few short values; more is not held in memory
/// (issue 13, item 9). `purpose` names the statement in errors.
struct Bounded<'a> {
    purpose: &'a str,
    rows: Vec<neo4rs::Row>,
    bytes: usize,
}

impl<'a> Bounded<'a> {
    fn new(purpose: &'a str) -> Self {
        Self { purpose, rows: Vec::new(), bytes: 0 }
    }

    fn push(&mut self, row: neo4rs::Row) -> Result<(), String> {
        let purpose = self.purpose;
        if self.rows.len() == MAX_ROWS {
            return Err(format!("{purpose}: the answer has more than {MAX_ROWS} rows; refusing to read further"));
        }
        self.bytes += size::of_row(&row).map_err(|err| format!("{purpose}: cannot read the answer: {err}"))?;
        if self.bytes > MAX_BYTES {
            return Err(format!("{purpose}: the answer holds more than {MAX_BYTES} bytes; refusing to read further"));
        }
        self.rows.push(row);
        Ok(())
    }
}

/// Runs a statement that reads, and reads its answer within the bounds.
async fn execute(graph: &Graph, statement: &Statement, purpose: &str) -> Result<Vec<neo4rs::Row>, String> {
    let failed = |err: neo4rs::Error| format!("{} failed: {err}", statement.text);
    let mut stream = graph.execute_on(statement.database.as_str(), query_of(statement)).await.map_err(failed)?;
    let mut answer = Bounded::new(purpose);
    while let Some(row) = stream.next().await.map_err(failed)? {
        answer.push(row)?;
    }
    Ok(answer.rows)
}

/// Runs a statement of the health checks (a probe is the user's own text) in an explicit
/// transaction that is rolled back: whatever it would write is never committed, and it is sent
/// once (auto-commit queries are retried by neo4rs on transient errors).
async fn read_only(graph: &Graph, statement: &Statement, purpose: &str) -> Result<Vec<neo4rs::Row>, String> {
    let failed = |err: neo4rs::Error| format!("{} failed: {err}", statement.text);
    let mut txn = graph.start_txn_on(statement.database.as_str()).await.map_err(failed)?;
    let mut stream = txn.execute(query_of(statement)).await.map_err(failed)?;
    let mut answer = Bounded::new(purpose);
    while let Some(row) = stream.next(txn.handle()).await.map_err(failed)? {
        answer.push(row)?;
    }
    txn.rollback().await.map_err(failed)?;
    Ok(answer.rows)
}

/// The most rows read from one answer: SHOW DATABASE answers a row per allocation, SHOW SERVERS a
/// row per server.
pub const MAX_ROWS: usize = neo4j_api::rules::restore::MAX_PROBE_ROWS as usize;

/// The most bytes of values (as [`size::of_row`] counts them) read from one answer: 1 MiB, where a
/// row of ours holds about 100 bytes. neo4rs has read a batch of rows (its fetch size, 200) before
/// they are counted.
pub const MAX_BYTES: usize = 1024 * 1024;

/// Runs a statement that changes something once, in an explicit transaction. neo4rs retries
/// auto-commit queries (`Graph::run`/`execute`) on transient errors with a backoff, which could send
/// a `CREATE` or `DROP DATABASE`, or a user's hook statement, a second time; a query inside a
/// transaction is sent once, and a failure is reported, never repeated blindly.
async fn change(graph: &Graph, statement: &Statement) -> Result<(), String> {
    let failed = |err: neo4rs::Error| format!("{} failed: {err}", statement.text);
    let mut txn = graph.start_txn_on(statement.database.as_str()).await.map_err(failed)?;
    txn.run(query_of(statement)).await.map_err(failed)?;
    txn.commit().await.map(|_| ()).map_err(failed)
}

fn count(row: &neo4rs::Row, key: &str) -> Option<i32> {
    row.get::<i64>(key).ok().and_then(|n| i32::try_from(n).ok())
}

impl DatabaseAdmin for Bolt {
    fn show<'a>(&'a self, endpoint: &'a Endpoint, name: &'a str) -> BoxFuture<'a, Result<Database, String>> {
        Box::pin(async move {
            let connection = connect(endpoint)?;
            let graph = &connection.graph;
            let rows = execute(graph, &show_database(name), &format!("reading the state of database {name:?}")).await?;
            let statuses: Vec<String> = rows.iter().filter_map(|row| row.get::<String>("currentStatus").ok()).collect();
            let topology = rows.first().map(|row| DatabaseTopology {
                primaries: count(row, "requestedPrimariesCount"),
                secondaries: count(row, "requestedSecondariesCount"),
            });
            Ok(database_state(&statuses, topology.filter(|t| t.primaries.is_some())))
        })
    }

    fn open<'a>(&'a self, endpoint: &'a Endpoint) -> BoxFuture<'a, Result<Box<dyn Session>, String>> {
        Box::pin(async move { connect(endpoint).map(|connection| Box::new(connection) as Box<dyn Session>) })
    }

    fn run<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        name: &'a str,
        cypher: &'a Cypher,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let connection = connect(endpoint)?;
            let graph = &connection.graph;
            if let Cypher::CreateSeeded { seed_host, .. } = cypher {
                let rows = execute(graph, &show_servers(), "listing the servers").await?;
                let servers: Vec<(String, String)> = rows
                    .iter()
                    .filter_map(|row| Some((row.get::<String>("serverId").ok()?, row.get::<String>("address").ok()?)))
                    .collect();
                let id = seed_server(&servers, seed_host)?;
                if let Some(statement) = seeded(cypher, name, &id) {
                    change(graph, &statement).await?;
                }
                return Ok(());
            }
            for statement in statements(cypher, name) {
                change(graph, &statement).await?;
            }
            Ok(())
        })
    }
}

impl Session for Connection {
    fn rows<'a>(&'a self, statement: &'a Statement) -> BoxFuture<'a, Result<Vec<Row>, String>> {
        Box::pin(async move {
            let rows = read_only(&self.graph, statement, &format!("reading the answer of {}", statement.text)).await?;
            rows.iter().map(row_values).collect()
        })
    }
}

/// Where `alias` points (`SHOW ALIASES`), or whether a database has its name (`SHOW DATABASE`),
/// over one connection.
pub async fn read_alias(admin: &dyn DatabaseAdmin, endpoint: &Endpoint, alias: &str) -> Alias {
    let read = async {
        let session = admin.open(endpoint).await?;
        let aliases = session.rows(&show_alias(alias)).await?;
        if let Some(row) = aliases.first() {
            let text = |column: &str| row.get(column).and_then(|v| v.as_str()).map(str::to_owned);
            return match (text("location").as_deref(), text("database")) {
                (Some("remote"), _) => Ok(Alias::Remote(text("url").unwrap_or_default())),
                (_, Some(target)) => Ok(Alias::Points(target)),
                (_, None) => Err(format!("SHOW ALIASES shows no target for {alias}: the admin may not see it")),
            };
        }
        let databases = session.rows(&show_database(alias)).await?;
        Ok::<_, String>(if databases.is_empty() { Alias::Absent } else { Alias::IsADatabase })
    };
    read.await.unwrap_or_else(Alias::Unreachable)
}

/// A row as column to JSON value (numbers, strings, booleans, null, lists and maps as they are).
fn row_values(row: &neo4rs::Row) -> Result<Row, String> {
    row.keys()
        .into_iter()
        .map(|key| {
            let value = row.get::<serde_json::Value>(&key.value).map_err(|err| format!("{}: {err}", key.value))?;
            Ok((key.value.clone(), value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::CaFile;

    #[test]
    fn each_connection_has_its_own_ca_file_readable_by_us_only_and_removed_after() {
        let (a, b) = (CaFile::write(b"PEM A").unwrap(), CaFile::write(b"PEM A").unwrap());
        assert_ne!(a.path(), b.path(), "concurrent reconciles never share a file");
        assert_eq!(std::fs::read(a.path()).unwrap(), b"PEM A");
        assert_eq!(std::fs::metadata(a.path()).unwrap().permissions().mode() & 0o777, 0o600);
        let path = a.path().to_owned();
        drop(a);
        assert!(!path.exists(), "removed when the connection is done");
    }
}
