//! Plans: from a spec and its resolved target to the Kubernetes objects that carry it out (Jobs,
//! CronJobs, argv). Pure data, so a plan can be shown before it runs and tested against golden files.

pub mod backup_job;
pub mod location;
pub mod pod;
pub mod restore_job;
pub mod retention_job;
pub mod service_account;
pub mod shipping_job;
pub mod target;
pub mod verify;
