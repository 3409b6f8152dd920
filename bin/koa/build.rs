//! Records the git revision koa is built from as `KOA_GIT_REVISION` (for `koa --version`):
//! `git describe`'s commit, with `-dirty` for uncommitted changes; `unknown git revision`
//! outside a git checkout or without git.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

fn main() {
    let revision: String = git(&["rev-parse", "--short=12", "HEAD"])
        .map(|rev| {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some();
            if dirty {
                format!("git {rev}-dirty")
            } else {
                format!("git {rev}")
            }
        })
        .unwrap_or_else(|| "unknown git revision".to_string());
    println!("cargo:rustc-env=KOA_GIT_REVISION={revision}");
    // Rebuilt when HEAD moves (a commit, a checkout) in this checkout or worktree.
    if let Some(git_dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        println!("cargo:rerun-if-changed={git_dir}/HEAD");
        println!("cargo:rerun-if-changed={git_dir}/logs/HEAD");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
