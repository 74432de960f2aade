//! The syscall compatibility table, rendered from the live [`SyscallTable`] so the docs can
//! never disagree with what the kernel does: Markdown for `docs/syscalls.md`, aligned text for
//! `sbx syscalls` in a terminal.

use std::fmt::Write;

use sbx_kernel::syscall::{Support, SyscallEntry, SyscallTable};

/// The command that regenerates `docs/syscalls.md`.
pub const REGENERATE: &str = "cargo run -p sbx-host -- syscalls --markdown > docs/syscalls.md";

/// How many syscalls sit at each support level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Implemented as Linux documents them.
    pub full: usize,
    /// Implemented with noted gaps.
    pub partial: usize,
    /// `ENOSYS`.
    pub unimplemented: usize,
}

impl Counts {
    /// Every syscall in the table.
    pub fn total(&self) -> usize {
        self.full + self.partial + self.unimplemented
    }
}

/// Counts the table's entries by support level.
pub fn counts(table: &SyscallTable) -> Counts {
    let mut c = Counts::default();
    for e in table.entries() {
        match e.support {
            Support::Full => c.full += 1,
            Support::Partial(_) => c.partial += 1,
            Support::Unimplemented(_) => c.unimplemented += 1,
        }
    }
    c
}

/// The support level's word and its note ("" for full support).
fn level(e: &SyscallEntry) -> (&'static str, &'static str) {
    match e.support {
        Support::Full => ("full", ""),
        Support::Partial(note) => ("partial", note),
        Support::Unimplemented(note) => ("unimplemented", note),
    }
}

/// The compatibility document in Markdown: title, legend, counts, then one row per syscall.
pub fn markdown(table: &SyscallTable) -> String {
    let c = counts(table);
    let mut out = String::new();
    // `write!` into a String cannot fail; the results are ignored for that reason.
    let _ = write!(
        out,
        "# Linux syscall compatibility\n\
         \n\
         <!-- Generated from the syscall table in sbx-syscalls; do not edit by hand.\n     \
         Regenerate with: {REGENERATE} -->\n\
         \n\
         How sbx serves each x86-64 Linux system call. Every call a sandboxed program makes is\n\
         answered by sbx's own kernel; none is passed to the host. This page is generated from\n\
         the table the kernel dispatches through, so it says exactly what sbx does.\n\
         \n\
         - **full**: behaves as Linux documents it.\n\
         - **partial**: implemented; the note says what differs from Linux.\n\
         - **unimplemented**: returns `ENOSYS`; the note says why.\n\
         \n\
         | support | syscalls |\n\
         |---|---:|\n\
         | full | {} |\n\
         | partial | {} |\n\
         | unimplemented | {} |\n\
         | **total** | **{}** |\n\
         \n\
         | # | name | support | note |\n\
         |---:|---|---|---|\n",
        c.full,
        c.partial,
        c.unimplemented,
        c.total()
    );
    for e in table.entries() {
        let (word, note) = level(e);
        // GFM cells end at a bare `|`; an empty note still gets its (empty) cell.
        let cell = if note.is_empty() {
            String::new()
        } else {
            format!(" {}", note.replace('|', "\\|"))
        };
        let _ = writeln!(out, "| {} | `{}` | {word} |{cell} |", e.nr, e.name);
    }
    out
}

/// The compatibility table as aligned plain text for a terminal, with a summary line.
pub fn terminal(table: &SyscallTable) -> String {
    let name_w = table
        .entries()
        .map(|e| e.name.len())
        .max()
        .unwrap_or(0)
        .max("NAME".len());
    let level_w = "unimplemented".len();
    let mut out = String::new();
    let mut line = |nr: &str, name: &str, word: &str, note: &str| {
        let row = format!("{nr:>3}  {name:<name_w$}  {word:<level_w$}  {note}");
        out.push_str(row.trim_end());
        out.push('\n');
    };
    line("NR", "NAME", "SUPPORT", "NOTE");
    for e in table.entries() {
        let (word, note) = level(e);
        line(&e.nr.to_string(), e.name, word, note);
    }
    let c = counts(table);
    let _ = writeln!(
        out,
        "\n{} syscalls: {} full, {} partial, {} unimplemented",
        c.total(),
        c.full,
        c.partial,
        c.unimplemented
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sbx_kernel::syscall::{SyscallArgs, SyscallEntry};
    use sbx_kernel::task::Task;
    use sbx_kernel::KResult;

    fn nop(_: &mut Task, _: &SyscallArgs) -> KResult<u64> {
        Ok(0)
    }

    fn sample() -> SyscallTable {
        let mut t = SyscallTable::default();
        t.set(SyscallEntry {
            nr: 0,
            name: "read",
            handler: Some(nop),
            support: Support::Full,
        });
        t.set(SyscallEntry {
            nr: 2,
            name: "open",
            handler: Some(nop),
            support: Support::Partial("no O_TMPFILE | yet"),
        });
        t.set(SyscallEntry {
            nr: 1,
            name: "write",
            handler: None,
            support: Support::Unimplemented("later"),
        });
        t
    }

    #[test]
    fn counts_by_level() {
        assert_eq!(
            counts(&sample()),
            Counts {
                full: 1,
                partial: 1,
                unimplemented: 1
            }
        );
        assert_eq!(counts(&sample()).total(), 3);
    }

    #[test]
    fn markdown_rows_in_number_order_with_escaped_notes() {
        let md = markdown(&sample());
        assert!(md.starts_with("# Linux syscall compatibility\n"));
        assert!(md.contains("| **total** | **3** |"));
        let rows: Vec<&str> = md
            .lines()
            .filter(|l| l.contains('`') && l.starts_with("| "))
            .collect();
        assert_eq!(
            rows,
            [
                "| 0 | `read` | full | |",
                "| 1 | `write` | unimplemented | later |",
                "| 2 | `open` | partial | no O_TMPFILE \\| yet |",
            ]
        );
        assert!(md.ends_with("|\n"));
    }

    #[test]
    fn terminal_is_aligned() {
        let text = terminal(&sample());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], " NR  NAME   SUPPORT        NOTE");
        assert_eq!(lines[1], "  0  read   full");
        assert_eq!(lines[2], "  1  write  unimplemented  later");
        assert_eq!(lines[3], "  2  open   partial        no O_TMPFILE | yet");
        assert_eq!(
            lines.last(),
            Some(&"3 syscalls: 1 full, 1 partial, 1 unimplemented")
        );
    }
}
