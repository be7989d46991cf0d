//! End-to-end tests against the cluster `KUBECONFIG` names. Ignored by default:
//! `cargo test --workspace -- --ignored e2e_`.

mod backup;
mod crds;
mod health;
mod in_process;
mod install;
mod operator;
mod pitr;
mod plan;
mod plugin;
mod promote;
mod restore;
mod security;
mod support;
mod webhook;
