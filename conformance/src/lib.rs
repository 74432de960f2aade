//! The syscall conformance suite: self-checking C cases run natively and under each engine.
