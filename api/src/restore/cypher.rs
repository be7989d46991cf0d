//! The Cypher the controller sends over Bolt, as data. Database names are always parameters,
//! never spliced into the text; hook statements are the user's own text, run as written on the
//! restored database.

use crate::restore::machine::{Cypher, Database};

/// The administrative database.
pub const SYSTEM: &str = "system";

/// One statement for one database, with string parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// The database it runs on.
    pub database: String,
    /// The text.
    pub text: String,
    /// Its parameters.
    pub params: Vec<(String, String)>,
}

fn admin(text: &str, name: &str) -> Statement {
    Statement { database: SYSTEM.to_owned(), text: text.to_owned(), params: vec![("name".to_owned(), name.to_owned())] }
}

/// Asks for the database's status on every server that hosts it.
pub fn show_database(name: &str) -> Statement {
    admin("SHOW DATABASE $name YIELD name, currentStatus", name)
}

/// Counts the nodes and relationships of the restored database (answered from the count store).
pub fn counts(name: &str) -> Statement {
    Statement {
        database: name.to_owned(),
        text: "CALL { MATCH (n) RETURN count(n) AS nodes } CALL { MATCH ()-[r]->() RETURN count(r) AS relationships } RETURN nodes, relationships".to_owned(),
        params: vec![],
    }
}

/// What a `SHOW DATABASE` answered (one `currentStatus` per allocation) means.
pub fn database_state(statuses: &[String]) -> Database {
    if statuses.is_empty() {
        Database::Absent
    } else {
        Database::Present { online: statuses.iter().all(|s| s == "online") }
    }
}

/// The statements of an action, in order.
pub fn statements(cypher: &Cypher, name: &str) -> Vec<Statement> {
    match cypher {
        Cypher::Stop => vec![admin("STOP DATABASE $name", name)],
        Cypher::Create => vec![admin("CREATE DATABASE $name IF NOT EXISTS", name)],
        Cypher::Start => vec![admin("START DATABASE $name", name)],
        Cypher::Statements(texts) => texts
            .iter()
            .map(|text| Statement { database: name.to_owned(), text: text.clone(), params: vec![] })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_parameters_on_system() {
        let create = statements(&Cypher::Create, "orders`; DROP DATABASE neo4j");
        assert_eq!(create[0].database, "system");
        assert_eq!(create[0].text, "CREATE DATABASE $name IF NOT EXISTS");
        assert_eq!(create[0].params, vec![("name".to_owned(), "orders`; DROP DATABASE neo4j".to_owned())]);
        assert_eq!(statements(&Cypher::Start, "orders")[0].text, "START DATABASE $name");
        assert_eq!(statements(&Cypher::Stop, "orders")[0].text, "STOP DATABASE $name");
        let hooks = statements(&Cypher::Statements(vec!["CALL db.awaitIndexes(60)".into()]), "orders");
        assert_eq!(
            hooks,
            vec![Statement { database: "orders".into(), text: "CALL db.awaitIndexes(60)".into(), params: vec![] }]
        );
    }

    #[test]
    fn online_means_online_everywhere() {
        assert_eq!(database_state(&[]), Database::Absent);
        assert_eq!(database_state(&["online".into(), "online".into()]), Database::Present { online: true });
        assert_eq!(database_state(&["online".into(), "starting".into()]), Database::Present { online: false });
    }
}
