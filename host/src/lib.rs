//! sbx host
