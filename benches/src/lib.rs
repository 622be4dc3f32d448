//! Load drivers and baselines for mcpwire benchmarks.
