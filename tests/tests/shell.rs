//! busybox `sh` scripts natively and under `sbx run --platform kvm`, byte for byte: pipelines,
//! command substitution, subshells, background jobs and `wait`, `trap`, `kill`, redirections,
//! and loops that fork hundreds of children.

use sbx_tests::{busybox, prepare, Case};
use tempfile::TempDir;

/// `busybox sh -c SCRIPT` run in a scratch directory (`/tmp` in the guest).
fn sh(script: &str) -> Option<(Case, TempDir)> {
    let bb = busybox()?;
    let dir = TempDir::new().unwrap();
    let case = prepare(bb)?
        .args(["sh", "-c", script])
        .guest_dir_as("/tmp", dir.path())
        .workdir("/tmp");
    Some((case, dir))
}

fn same(script: &str) {
    if let Some((case, _dir)) = sh(script) {
        case.assert_same();
    }
}

#[test]
fn pipelines_and_substitution() {
    same(
        "x=$(echo hello | tr a-z A-Z); echo \"sub: $x\"; \
         echo a b c | wc -w; printf '3\\n1\\n2\\n' | sort | tr '\\n' ' '; echo; \
         false | true; echo \"pipe status $?\"; y=$(exit 4); echo \"subst status $?\"",
    );
}

#[test]
fn subshells_and_exit_status() {
    same(
        "( echo in subshell; exit 3 ); echo \"status $?\"; \
         (cd / && pwd); { echo group; }; \
         sh -c 'exit 7'; echo \"child $?\"; exit 5",
    );
}

#[test]
fn background_jobs_and_wait() {
    same(
        "sleep 0.2 & a=$!; (sleep 0.1; exit 9) & b=$!; \
         wait $b; echo \"b: $?\"; wait $a; echo \"a: $?\"; \
         for i in 1 2 3; do (echo job $i > out.$i) & done; wait; cat out.1 out.2 out.3",
    );
}

/// The background job's "Terminated" notice is left out of the comparison: whether ash
/// prints it depends on whether its SIGCHLD handler or `wait` reaps the job first, a race
/// natively too.
#[test]
fn traps_and_kill() {
    same(
        "trap 'echo got USR1' USR1; kill -USR1 $$; echo after; \
         trap 'echo bye' EXIT; \
         sh -c 'kill -TERM $$'; echo \"term: $?\"; \
         ( sleep 5 & p=$!; kill $p; wait $p; echo \"killed: $?\" ) 2>/dev/null",
    );
}

#[test]
fn redirections() {
    same(
        "echo one > f; echo two >> f; cat < f; wc -l < f; \
         ls nosuchfile 2> err; echo \"ls: $?\"; test -s err && echo err written; \
         exec 3> g; echo via3 >&3; exec 3>&-; cat g; \
         cat <<EOF\nhere doc $((1 + 2))\nEOF",
    );
}

#[test]
fn loop_forking_hundreds_of_children() {
    same(
        "i=0; while [ $i -lt 300 ]; do i=$((i+1)); /bin/busybox true; done; echo \"ran $i\"; \
         n=0; for j in $(seq 1 50); do n=$((n + $(echo 1))); done; echo \"subst $n\"",
    );
}
