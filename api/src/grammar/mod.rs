//! The small languages inside field values: durations, sizes, cron schedules, names, buckets.

pub mod bucket;
pub mod cron;
pub mod duration;
pub mod names;
pub mod pattern;
pub mod size;
