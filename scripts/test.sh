#!/usr/bin/env bash
# The project's one test command. CI runs it (through .ci/run) on a clean checkout with CI=true,
# where a test that cannot run (no /dev/kvm, no musl-gcc, no static busybox) fails instead of
# printing a SKIP line.
#
#   scripts/test.sh
#
# 1. installs what the tests need when it is missing (gcc, musl-gcc, static busybox, rustfmt, clippy)
# 2. cargo build --workspace      (builds target/debug/sbx, which the tests run)
# 3. cargo test --workspace       (then one summary line: "tests: N passed, N failed, N skipped")
# 4. the conformance suite on every engine, checked against conformance/baseline.json
#    (reports: target/conformance/report.{json,html})
# 5. cargo fmt --all -- --check
# 6. cargo clippy --workspace --all-targets -- -D warnings
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        echo "not root and no sudo: cannot run: $*" >&2
        return 1
    fi
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# --- 1. prerequisites ---------------------------------------------------------------------
packages=()
command -v gcc >/dev/null 2>&1 || packages+=(build-essential)
command -v musl-gcc >/dev/null 2>&1 || packages+=(musl-tools)
if command -v dpkg-query >/dev/null 2>&1; then
    installed busybox-static || packages+=(busybox-static)
elif [ ! -x /bin/busybox ]; then
    packages+=(busybox-static)
fi
if [ "${#packages[@]}" -gt 0 ]; then
    step "installing ${packages[*]}"
    if command -v apt-get >/dev/null 2>&1; then
        export DEBIAN_FRONTEND=noninteractive
        # The package lists may be missing or stale on a fresh machine: update and retry once.
        as_root apt-get install -y --no-install-recommends "${packages[@]}" ||
            { as_root apt-get update && as_root apt-get install -y --no-install-recommends "${packages[@]}"; }
    else
        echo "apt-get not found: install ${packages[*]} by hand (tests that need them will skip, or fail with CI=true)" >&2
    fi
fi
for component in rustfmt clippy; do
    cargo_cmd=${component/rustfmt/fmt}
    if ! cargo "$cargo_cmd" --version >/dev/null 2>&1 && command -v rustup >/dev/null 2>&1; then
        step "rustup component add $component"
        rustup component add "$component"
    fi
done

# --- 2-6. build, test, conformance, format, lint ------------------------------------------
step "cargo build --workspace"
cargo build --workspace

step "cargo test --workspace"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --no-fail-fast 2>&1 | tee "$log" || status=$?
# One summary line over all test binaries. Skipped tests (printed as "SKIP" lines by the sbx
# tests when /dev/kvm or a tool is missing) pass in libtest's count but ran nothing.
awk '
    /^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } }
    /^!!!!!!!!!! SKIP / { s++ }
    END { printf "tests: %d passed, %d failed, %d skipped\n", p - s, f, s }
' "$log"
if [ "$status" -ne 0 ]; then
    echo "cargo test failed (exit status $status)" >&2
    exit "$status"
fi

# Every case natively, then under each engine; fails when a row conformance/baseline.json lists
# stops passing. Without /dev/kvm the kvm engine is skipped loudly, and under CI=true that fails.
step "conformance suite (sbx conformance --platform all --baseline conformance/baseline.json)"
target/debug/sbx conformance --platform all --baseline conformance/baseline.json \
    --json target/conformance/report.json --html target/conformance/report.html

step "cargo fmt --all -- --check"
cargo fmt --all -- --check

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "all checks passed"
