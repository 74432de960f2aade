//! Unit tests. `builder` makes small ELF files by hand so that each test states exactly the
//! bytes it feeds the loader.

mod builder;
mod load;
mod parse;
mod robustness;
mod stack;
