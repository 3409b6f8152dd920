//! What `koa host` (`single`) and `koa host super` share: the data directory and its format,
//! server mode's file descriptors, and the config files a host reads.
//!
//! The rules every host subcommand follows:
//! - a flag is used or refused, never ignored: a combination that cannot mean what it says is
//!   a bad input (exit 2);
//! - offline, nothing is created: the data directory must exist and hold a run's preimages;
//! - online, a new or empty data directory gets a `kvformat`; a non-empty one without it is
//!   someone else's (kona-host's RocksDB) and is refused;
//! - in server mode, fds 3–6 are checked before anything else is opened.

use std::path::Path;

use koa_host::store::{DirectoryStore, KV_FORMAT_DIRECTORY, KV_FORMAT_FILE};
use koa_proof::ErrorChain;

use super::CliError;

/// `--data-format`: op-program's layouts, and kona-host's RocksDB, named to be refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum DataFormat {
    /// `<dir>/<k[0..4]>/<k[4..]>.txt` (op-program's default).
    Directory,
    /// `<dir>/0x<k>.txt`.
    File,
    /// kona-host's RocksDB: refused (koa reads and writes op-program's formats only).
    Rocksdb,
}

impl DataFormat {
    /// The `kvformat` name of a format koa writes.
    fn kv_format(self) -> Result<&'static str, CliError> {
        match self {
            Self::Directory => Ok(KV_FORMAT_DIRECTORY),
            Self::File => Ok(KV_FORMAT_FILE),
            Self::Rocksdb => Err(CliError::BadInput(
                "--data-format rocksdb: koa keeps preimages in op-program's data directory \
                 formats only (directory, file), which op-challenger and op-program read too; \
                 pass --data-format directory or leave it out"
                    .into(),
            )),
        }
    }
}

/// Opens the data directory: `online`, created if new (in `format`, default `directory`);
/// offline, it must exist and hold a run's preimages. An explicit `format` that differs from
/// the one the directory records is refused rather than ignored.
pub(crate) fn open_data_dir(
    dir: &Path,
    format: Option<DataFormat>,
    online: bool,
) -> Result<DirectoryStore, CliError> {
    let wanted: Option<&str> = format.map(DataFormat::kv_format).transpose()?;
    let store = if online {
        DirectoryStore::open_or_create(dir, wanted.unwrap_or(KV_FORMAT_DIRECTORY))
    } else {
        DirectoryStore::open_existing(dir)
    }
    .map_err(|err| CliError::BadInput(ErrorChain(&err).to_string()))?;
    if let Some(wanted) = wanted
        && store.kv_format() != wanted
    {
        return Err(CliError::BadInput(format!(
            "--data-format {wanted}: the data directory {} is in the {} format",
            dir.display(),
            store.kv_format()
        )));
    }
    Ok(store)
}

/// What server mode needs on fds 3–6: (fd, its name, whether the host reads it).
const SERVER_FDS: [(i32, &str, bool); 4] = [
    (3, "the hint channel's read end", true),
    (4, "the hint channel's write end", false),
    (5, "the preimage channel's read end", true),
    (6, "the preimage channel's write end", false),
];

/// Checks that fds 3–6 are open pipes or sockets, readable or writable as server mode uses
/// them (as Cannon and Asterisc pass them): run from a terminal they are not, and taking them
/// over would close descriptors the process does not own.
pub(crate) fn check_server_fds() -> Result<(), CliError> {
    for (fd, role, reads) in SERVER_FDS {
        let bad = |what: String| {
            CliError::BadInput(format!(
                "--server serves the preimage oracle on fds 3–6, which a fault-proof VM \
                 (Cannon, Asterisc) passes; fd {fd} ({role}) {what}. Run it under a VM, or use \
                 --native"
            ))
        };
        // SAFETY: fcntl and fstat only read the descriptor table; a closed fd is an error.
        let flags: i32 = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        if flags < 0 {
            return Err(bad("is not open".into()));
        }
        let mut stat: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: `stat` is a valid, writable `struct stat`.
        if unsafe { libc::fstat(fd, &mut stat) } != 0 {
            return Err(bad(format!(
                "cannot be examined: {}",
                std::io::Error::last_os_error()
            )));
        }
        let kind: libc::mode_t = stat.st_mode & libc::S_IFMT;
        if kind != libc::S_IFIFO && kind != libc::S_IFSOCK {
            let name = match kind {
                libc::S_IFREG => "a regular file",
                libc::S_IFCHR => "a character device (a terminal?)",
                libc::S_IFDIR => "a directory",
                _ => "not a pipe",
            };
            return Err(bad(format!("is {name}, not a pipe")));
        }
        let mode: i32 = flags & libc::O_ACCMODE;
        let usable: bool = if reads {
            mode == libc::O_RDONLY || mode == libc::O_RDWR
        } else {
            mode == libc::O_WRONLY || mode == libc::O_RDWR
        };
        if !usable {
            return Err(bad(format!(
                "is not open for {}",
                if reads { "reading" } else { "writing" }
            )));
        }
    }
    Ok(())
}

/// A rollup config file, checked as the program reads it: its JSON and the parsed config.
pub(crate) fn read_rollup_config(
    path: &Path,
) -> Result<(Vec<u8>, koa_protocol::RollupConfig), CliError> {
    let bytes = read_json_file(path, "rollup config")?;
    let config = std::str::from_utf8(&bytes)
        .ok()
        .map(koa_protocol::RollupConfig::from_json)
        .ok_or_else(|| {
            CliError::BadInput(format!("bad rollup config {}: not UTF-8", path.display()))
        })?
        .map_err(|err| {
            CliError::BadInput(format!(
                "bad rollup config {}: {}",
                path.display(),
                ErrorChain(&err)
            ))
        })?;
    Ok((bytes, config))
}

/// The L1 chain config JSON for the program: the file itself, or the `config` object of a
/// whole genesis file (op-challenger passes L1 genesis paths), so the program never parses a
/// genesis allocation. Checked here, so a bad file is a bad input, not a program failure.
pub(crate) fn read_l1_chain_config(path: &Path) -> Result<Vec<u8>, CliError> {
    let bytes = read_bounded(path, "L1 chain config")?;
    let text = String::from_utf8(bytes).map_err(|_| {
        CliError::BadInput(format!("bad L1 chain config {}: not UTF-8", path.display()))
    })?;
    let config = koa_protocol::L1ChainConfig::from_json(&text).map_err(|err| {
        CliError::BadInput(format!(
            "bad L1 chain config {}: {}",
            path.display(),
            ErrorChain(&err)
        ))
    })?;
    Ok(config.to_json().into_bytes())
}

/// The largest config file a host reads (an L1 genesis with a large allocation included).
const MAX_CONFIG_FILE_BYTES: u64 = 256 << 20;

/// Reads `path`, refusing a file larger than [`MAX_CONFIG_FILE_BYTES`].
fn read_bounded(path: &Path, what: &str) -> Result<Vec<u8>, CliError> {
    let cannot = |err: std::io::Error| {
        CliError::BadInput(format!("cannot read the {what} {}: {err}", path.display()))
    };
    let len: u64 = std::fs::metadata(path).map_err(cannot)?.len();
    if len > MAX_CONFIG_FILE_BYTES {
        return Err(CliError::BadInput(format!(
            "the {what} {} has {len} bytes, more than any config ({MAX_CONFIG_FILE_BYTES})",
            path.display()
        )));
    }
    std::fs::read(path).map_err(cannot)
}

/// Reads a JSON file (checked to be JSON).
pub(crate) fn read_json_file(path: &Path, what: &str) -> Result<Vec<u8>, CliError> {
    let bytes = read_bounded(path, what)?;
    serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).map_err(|err| {
        CliError::BadInput(format!("bad {what} {}: not JSON: {err}", path.display()))
    })?;
    Ok(bytes)
}
