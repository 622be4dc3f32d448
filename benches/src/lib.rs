//! The baselines and the soak of the mcpwire benchmarks: the floor servers' answers
//! ([`floor`]) and, with the `soak` feature, the soak's scenarios (`soak`). The load drivers
//! themselves live in `mcpwire-load`.

pub mod floor;
#[cfg(feature = "soak")]
pub mod soak;
