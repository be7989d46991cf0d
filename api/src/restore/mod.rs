//! The restore domain, pure: the moment a point-in-time restore stops at, which backup artifact a
//! restore reads, the steps a restore goes through (`machine`, `promotion`) and its plan.

pub mod artifact;
pub mod bolt_service;
pub mod cypher;
pub mod failure;
pub mod machine;
pub mod observed;
pub mod plan;
pub mod promotion;
pub mod source;
pub mod topology;
pub mod until;
