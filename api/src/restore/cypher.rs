//! The Cypher the controller sends over Bolt, as data. Database names are always parameters,
//! never spliced into the text; hook statements are the user's own text, run as written on the
//! restored database.

use crate::restore::machine::{Cypher, Database};
use crate::types::DatabaseTopology;

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

/// Asks for the database's status on every server that hosts it, with its topology as requested
/// (docs-operations, database-administration/standard-databases/listing-databases.adoc, 5.x and
/// dev: `requestedPrimariesCount`, `requestedSecondariesCount`, only with YIELD; the `current*`
/// counts shrink while a server is down).
pub fn show_database(name: &str) -> Statement {
    admin("SHOW DATABASE $name YIELD name, currentStatus, requestedPrimariesCount, requestedSecondariesCount", name)
}

/// What a `SHOW DATABASE` answered (one `currentStatus` per allocation, and the topology) means.
pub fn database_state(statuses: &[String], topology: Option<DatabaseTopology>) -> Database {
    if statuses.is_empty() {
        Database::Absent
    } else {
        Database::Present { online: statuses.iter().all(|s| s == "online"), topology }
    }
}

/// Lists the cluster's servers: `serverId` and `address` (`host:port`).
pub fn show_servers() -> Statement {
    Statement { database: SYSTEM.to_owned(), text: "SHOW SERVERS YIELD serverId, address".to_owned(), params: vec![] }
}

/// The id of the server whose address is on `host`, from `(serverId, address)` rows. Ids are
/// Neo4j's UUIDs; anything else is refused, since the id is written into the statement.
pub fn seed_server(rows: &[(String, String)], host: &str) -> Result<String, String> {
    let (id, _) = rows
        .iter()
        .find(|(_, address)| address.rsplit_once(':').map_or(address.as_str(), |(h, _)| h) == host)
        .ok_or_else(|| {
            format!(
                "no server of the cluster has the address {host}; SHOW SERVERS lists {}",
                rows.iter().map(|(_, a)| a.as_str()).collect::<Vec<_>>().join(", ")
            )
        })?;
    let uuid = id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    if !uuid {
        return Err(format!("the server id {id:?} is not a UUID"));
    }
    Ok(id.clone())
}

/// The statement of the seeding action, once the seeding server's id is known: the designated
/// seeder of docs-operations clustering/databases.adoc#cluster-designated-seeder (5.x and dev).
/// `existingDataSeedServer` exists from 5.25 (replacing `existingDataSeedInstance`, which Cypher 25
/// removed); `existingData: 'use'` is required by Cypher 5 and accepted, without effect, by Cypher
/// 25 (2025.06+), so one form serves every supported version. `TOPOLOGY` is always explicit:
/// without it the database gets `initial.dbms.default_primaries_count` copies, 1 by default.
pub fn seeded(cypher: &Cypher, name: &str, server_id: &str) -> Option<Statement> {
    let Cypher::CreateSeeded { topology, .. } = cypher else { return None };
    let primaries = topology.primaries.unwrap_or(1).max(1);
    let secondaries = topology.secondaries.unwrap_or(0).max(0);
    let copies = match secondaries {
        0 => format!("TOPOLOGY {primaries} PRIMARIES"),
        _ => format!("TOPOLOGY {primaries} PRIMARIES {secondaries} SECONDARIES"),
    };
    let text = format!(
        "CREATE DATABASE $name IF NOT EXISTS {copies} OPTIONS {{existingData: 'use', existingDataSeedServer: '{server_id}'}}"
    );
    Some(admin(&text, name))
}

/// Where the alias of a promotion points (docs-operations,
/// database-administration/aliases/manage-aliases-standard-databases.adoc, 5.x and dev:
/// `SHOW ALIASES FOR DATABASE` yields `name`, `database` (the target) and `location` (`local` or
/// `remote`, with the remote's `url`).
pub fn show_alias(alias: &str) -> Statement {
    Statement {
        database: SYSTEM.to_owned(),
        text: "SHOW ALIASES FOR DATABASE YIELD name, database, location, url WHERE name = $alias".to_owned(),
        params: vec![("alias".to_owned(), alias.to_owned())],
    }
}

/// `name` as a quoted identifier: backticks, any backtick inside doubled (a database name the rules
/// allowed has none). The alias's target is written this way, as in the manual's own examples
/// (`CREATE ALIAS $aliasname FOR DATABASE `northwind-graph``, aliases/manage-aliases-composite-
/// databases.adoc, dev), since it documents a parameter for the alias's name only.
fn quoted(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// The statements of an action, in order (the seeding actions need [`seeded`] instead).
pub fn statements(cypher: &Cypher, name: &str) -> Vec<Statement> {
    match cypher {
        Cypher::CreateSeeded { .. } => vec![],
        // WAIT: by default these return before the database is stopped or gone ("performed in the
        // background post-commit", docs-operations
        // database-administration/standard-databases/wait-options.adoc; the syntax in
        // database-administration/syntax.adoc, 5.x and dev), and the restore Job that follows would find the store still in use.
        Cypher::Stop => vec![admin("STOP DATABASE $name WAIT", name)],
        Cypher::Drop => vec![admin("DROP DATABASE $name IF EXISTS WAIT", name)],
        Cypher::Create => vec![admin("CREATE DATABASE $name IF NOT EXISTS", name)],
        Cypher::Start => vec![admin("START DATABASE $name", name)],
        // database-administration/syntax.adoc (5.x and dev): `CREATE ALIAS name [IF NOT EXISTS]
        // FOR DATABASE targetName`, `ALTER ALIAS name [IF EXISTS] SET DATABASE [TARGET targetName]`;
        // alias commands take no WAIT. Transactions running against the alias while it changes
        // "may be aborted and rolled back" (aliases/manage-aliases-standard-databases.adoc).
        Cypher::Promote { alias, create } => {
            let text = if *create {
                format!("CREATE ALIAS $alias IF NOT EXISTS FOR DATABASE {}", quoted(name))
            } else {
                format!("ALTER ALIAS $alias SET DATABASE TARGET {}", quoted(name))
            };
            vec![Statement { database: SYSTEM.to_owned(), text, params: vec![("alias".to_owned(), alias.clone())] }]
        }
        // No CASCADE ALIASES: a database another alias still targets is not dropped ("always
        // returns an error if there is an existing alias that targets the database",
        // standard-databases/delete-databases.adoc, 5.x and dev).
        Cypher::DropPrevious(previous) => vec![admin("DROP DATABASE $name IF EXISTS WAIT", previous)],
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
        assert_eq!(statements(&Cypher::Stop, "orders")[0].text, "STOP DATABASE $name WAIT");
        assert_eq!(statements(&Cypher::Drop, "orders")[0].text, "DROP DATABASE $name IF EXISTS WAIT");
        let promote = statements(&Cypher::Promote { alias: "orders".into(), create: false }, "orders-restored");
        assert_eq!(promote[0].text, "ALTER ALIAS $alias SET DATABASE TARGET `orders-restored`");
        assert_eq!(
            (promote[0].database.as_str(), promote[0].params.clone()),
            ("system", vec![("alias".to_owned(), "orders".to_owned())])
        );
        let create = statements(&Cypher::Promote { alias: "orders".into(), create: true }, "odd`name");
        assert_eq!(create[0].text, "CREATE ALIAS $alias IF NOT EXISTS FOR DATABASE `odd``name`");
        let retire = statements(&Cypher::DropPrevious("orders-v1".into()), "orders-restored");
        assert_eq!(
            (retire[0].text.as_str(), retire[0].params[0].1.as_str()),
            ("DROP DATABASE $name IF EXISTS WAIT", "orders-v1")
        );
        assert_eq!(
            show_alias("orders").text,
            "SHOW ALIASES FOR DATABASE YIELD name, database, location, url WHERE name = $alias"
        );
        let hooks = statements(&Cypher::Statements(vec!["CALL db.awaitIndexes(60)".into()]), "orders");
        assert_eq!(
            hooks,
            vec![Statement { database: "orders".into(), text: "CALL db.awaitIndexes(60)".into(), params: vec![] }]
        );
    }

    #[test]
    fn seeding_names_server_0_by_its_id() {
        let rows = vec![
            (
                "8512c9b9-d9e8-48e6-b037-b15b0004ca18".to_owned(),
                "prod-server-1.prod-headless.db.svc.cluster.local:7687".to_owned(),
            ),
            (
                "25a7efc7-d063-44b8-bdee-f23357f89f01".to_owned(),
                "prod-server-0.prod-headless.db.svc.cluster.local:7687".to_owned(),
            ),
        ];
        let host = "prod-server-0.prod-headless.db.svc.cluster.local";
        let id = seed_server(&rows, host).unwrap();
        assert_eq!(id, "25a7efc7-d063-44b8-bdee-f23357f89f01");
        let three = DatabaseTopology { primaries: Some(3), secondaries: Some(0) };
        let create = seeded(&Cypher::CreateSeeded { seed_host: host.into(), topology: three }, "orders", &id).unwrap();
        assert_eq!(
            create.text,
            "CREATE DATABASE $name IF NOT EXISTS TOPOLOGY 3 PRIMARIES OPTIONS {existingData: 'use', existingDataSeedServer: '25a7efc7-d063-44b8-bdee-f23357f89f01'}"
        );
        assert_eq!(create.params, vec![("name".to_owned(), "orders".to_owned())]);
        let with_secondaries = DatabaseTopology { primaries: Some(3), secondaries: Some(2) };
        let create =
            seeded(&Cypher::CreateSeeded { seed_host: host.into(), topology: with_secondaries }, "orders", &id)
                .unwrap();
        assert!(create.text.contains(" TOPOLOGY 3 PRIMARIES 2 SECONDARIES OPTIONS "), "{}", create.text);
        assert!(seed_server(&rows, "other").unwrap_err().starts_with("no server of the cluster has the address other"));
        let forged = vec![("x'}) DROP".to_owned(), format!("{host}:7687"))];
        assert_eq!(seed_server(&forged, host).unwrap_err(), "the server id \"x'}) DROP\" is not a UUID");
    }

    #[test]
    fn online_means_online_everywhere() {
        assert_eq!(database_state(&[], None), Database::Absent);
        let three = Some(DatabaseTopology { primaries: Some(3), secondaries: Some(0) });
        assert_eq!(
            database_state(&["online".into(), "online".into()], three),
            Database::Present { online: true, topology: three }
        );
        assert_eq!(database_state(&["online".into(), "starting".into()], None), Database::present(false));
    }
}
