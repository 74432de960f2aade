//! The machine-readable report:
//! `{"meta": .., "summary": {ENGINE: {"pass": n, ..}}, "families": [..], "syscalls": [..],
//!   "cases": [{"id", "name", "libc", "syscalls", "results": {"native": "pass", ENGINE: ..},
//!   "reason": {ENGINE: ".."}, "diff": {ENGINE: ".."}}]}`.

use super::Report;

/// The report as pretty-printed JSON.
pub fn render(report: &Report) -> String {
    // Serializing plain data with string keys cannot fail.
    let mut s = serde_json::to_string_pretty(report).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn shape() {
        let v: Value = serde_json::from_str(&render(&super::super::tests::sample())).unwrap();
        assert_eq!(v["summary"]["kvm"]["pass"], 1);
        assert_eq!(v["summary"]["kvm"]["fail"], 1);
        assert_eq!(v["summary"]["kvm"]["broken"], 1);
        assert_eq!(v["summary"]["bt"]["skipped"], 3);
        assert_eq!(v["summary"]["native"]["pass"], 2);
        assert_eq!(v["meta"]["engines"][1]["status"], "engine not available");
        let case = &v["cases"][1];
        assert_eq!(case["name"], "fs/open");
        assert_eq!(case["id"], "fs/open@musl");
        assert_eq!(case["libc"], "musl");
        assert_eq!(case["syscalls"][0], "openat");
        assert_eq!(case["results"]["native"], "pass");
        assert_eq!(case["results"]["kvm"], "fail");
        assert_eq!(case["results"]["bt"], "skip");
        assert!(case["diff"]["kvm"].as_str().unwrap().contains("+++ kvm"));
        assert!(case["reason"]["kvm"]
            .as_str()
            .unwrap()
            .starts_with("line 2"));
        let fams = v["families"].as_array().unwrap();
        assert_eq!(fams[0]["family"], "fs");
        let sys: Vec<&str> = v["syscalls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert_eq!(sys, ["close", "openat", "wait4"]);
        assert_eq!(v["syscalls"][1]["results"]["kvm"]["pass"], 1);
        assert!(v["syscalls"][1]["level"].is_string());
    }

    #[test]
    fn rows_round_trip() {
        let r = super::super::tests::sample();
        let v: Value = serde_json::from_str(&render(&r)).unwrap();
        let rows: Vec<crate::suite::Row> = serde_json::from_value(v["cases"].clone()).unwrap();
        assert_eq!(rows, r.cases);
    }
}
