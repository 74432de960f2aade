//! Compiles every C program in `programs/` twice, statically: with `gcc` (glibc) and, when it is
//! installed, with `musl-gcc`. The binaries land in `$OUT_DIR/programs/NAME-LIBC`, and
//! `$OUT_DIR/programs.rs` lists them for the harness (`sbx_tests::program`).

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let src_dir = manifest.join("programs");
    let bin_dir = out.join("programs");
    fs::create_dir_all(&bin_dir).expect("create OUT_DIR/programs");
    println!("cargo:rerun-if-changed=programs");

    let mut sources: Vec<PathBuf> = fs::read_dir(&src_dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", src_dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "c"))
        .collect();
    sources.sort();
    for entry in fs::read_dir(&src_dir).expect("programs dir").flatten() {
        println!("cargo:rerun-if-changed={}", entry.path().display());
    }

    if find_in_path("gcc").is_none() {
        panic!(
            "gcc not found: install it (`apt-get install build-essential`, or run scripts/test.sh)"
        );
    }
    let musl = find_in_path("musl-gcc").is_some();
    if !musl {
        println!(
            "cargo:warning=musl-gcc not found: the musl variants of the test programs are not built \
             (apt-get install musl-tools, then `touch tests/build.rs`)"
        );
    }
    let mut toolchains = vec![("glibc", "gcc")];
    if musl {
        toolchains.push(("musl", "musl-gcc"));
    }

    // Start every compile at once, then wait for all of them.
    let mut jobs: Vec<(String, PathBuf, Child)> = Vec::new();
    for src in &sources {
        let name = src
            .file_stem()
            .unwrap()
            .to_str()
            .expect("UTF-8 program name")
            .to_owned();
        for (libc, cc) in &toolchains {
            let bin = bin_dir.join(format!("{name}-{libc}"));
            let child = Command::new(cc)
                .args(["-static", "-O1", "-Wall", "-o"])
                .arg(&bin)
                .arg(src)
                .arg("-lm")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("spawning {cc}: {e}"));
            jobs.push((format!("{cc} {}", src.display()), bin, child));
        }
    }
    let mut failures = Vec::new();
    let mut entries = Vec::new();
    for (what, bin, child) in jobs {
        let output = child
            .wait_with_output()
            .expect("waiting for the C compiler");
        if !output.status.success() {
            failures.push(format!(
                "{what} failed ({}):\n{}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        entries.push(bin);
    }
    if !failures.is_empty() {
        panic!(
            "compiling the test programs failed:\n{}",
            failures.join("\n")
        );
    }

    let mut code = String::new();
    code.push_str("/// Whether musl-gcc was found when the test programs were built.\n");
    code.push_str(&format!("pub const MUSL_BUILT: bool = {musl};\n"));
    code.push_str("/// Every compiled program: (name, libc, host path).\n");
    code.push_str("pub const PROGRAMS: &[(&str, &str, &str)] = &[\n");
    for bin in &entries {
        let file = bin.file_name().unwrap().to_str().unwrap();
        let (name, libc) = file.rsplit_once('-').expect("NAME-LIBC");
        code.push_str(&format!(
            "    ({name:?}, {libc:?}, {:?}),\n",
            bin.to_str().expect("UTF-8 OUT_DIR")
        ));
    }
    code.push_str("];\n");
    fs::write(out.join("programs.rs"), code).expect("write programs.rs");
}

fn find_in_path(tool: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
