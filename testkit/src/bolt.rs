//! A database server stand-in for the health checks: a [`Session`] that answers the suite's
//! statements as a healthy Neo4j would (the Bolt client itself is tested against boltstub).

use futures::future::BoxFuture;
use neo4j_api::health::checks::Row;
use neo4j_api::restore::cypher::Statement;
use neo4j_ops::bolt::Session;
use serde_json::json;

/// `database` online on one server, without indexes or constraints, holding `nodes` and
/// `relationships`; any other statement (a probe) answers no rows.
#[derive(Clone, Debug)]
pub struct Healthy {
    /// The database.
    pub database: String,
    /// Its nodes.
    pub nodes: i64,
    /// Its relationships.
    pub relationships: i64,
}

impl Healthy {
    /// The answer to `statement`.
    pub fn answer(&self, statement: &Statement) -> Vec<Row> {
        let row = |value: serde_json::Value| serde_json::from_value::<Row>(value).expect("a row");
        let text = statement.text.as_str();
        if text.starts_with("RETURN 1") {
            vec![row(json!({"ok": 1}))]
        } else if text.starts_with("SHOW DATABASES") {
            vec![row(json!({"name": self.database, "address": "server-0:7687", "requestedStatus": "online",
                "currentStatus": "online", "statusMessage": ""}))]
        } else if text.starts_with("CALL { MATCH (n)") {
            vec![row(json!({"nodes": self.nodes, "relationships": self.relationships, "labels": 1, "types": 1}))]
        } else {
            vec![]
        }
    }
}

impl Session for Healthy {
    fn rows<'a>(&'a self, statement: &'a Statement) -> BoxFuture<'a, Result<Vec<Row>, String>> {
        Box::pin(async move { Ok(self.answer(statement)) })
    }
}
