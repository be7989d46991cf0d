//! `neo4j-agent choose`: which artifact of a backup location a restore reads, from the inventory
//! `neo4j-admin backup inspect` wrote; reported as JSON for the controller.

use std::path::Path;

use k8s_openapi::jiff::Timestamp;
use neo4j_api::restore::artifact::{ChosenArtifact, Until, choose};

use crate::{InventoryError, read_inventory};

/// Why no artifact was chosen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The inventory could not be read.
    #[error(transparent)]
    Inventory(#[from] InventoryError),
    /// `--point-in-time` is not a time.
    #[error("--point-in-time {0:?} is not an RFC 3339 time")]
    PointInTime(String),
    /// No artifact fits.
    #[error("{0}")]
    NoArtifact(String),
}

/// Chooses the artifact of `database` (at `point_in_time`, or up to `until_transaction`, when
/// given) from the inventory file.
pub fn choose_artifact(
    inventory: &Path,
    database: &str,
    point_in_time: Option<&str>,
    until_transaction: Option<u64>,
) -> Result<ChosenArtifact, Error> {
    let listed = read_inventory(inventory)?;
    let moment = point_in_time
        .map(|text| text.parse::<Timestamp>().map_err(|_| Error::PointInTime(text.to_owned())))
        .transpose()?;
    let until = match (moment, until_transaction) {
        (Some(moment), _) => Until::Moment(moment),
        (None, Some(id)) => Until::Transaction(id),
        (None, None) => Until::Newest,
    };
    let chosen = choose(&listed, database, until).map_err(Error::NoArtifact)?;
    Ok(ChosenArtifact::from(&chosen))
}
