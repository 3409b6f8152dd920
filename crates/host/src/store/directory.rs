//! op-program's on-disk preimage store, shared with op-challenger and kona-host.
//!
//! `<dir>/kvformat` names the layout. In the `directory` layout (the default) the preimage of
//! a key is the file `<dir>/<k[0..4]>/<k[4..64]>.txt`, where `k` is the lowercase hex of the
//! 32-byte typed key without `0x`; in the older `file` layout it is `<dir>/0x<k>.txt` (op-program
//! names it by go-ethereum's `Hash.String()`, which carries the `0x`). The file holds the
//! lowercase hex of the preimage, without `0x` and without a newline. Files are written to a
//! temporary name and renamed into place, so a reader never sees half a file.
//!
//! A directory without `kvformat` gets one only if it is empty: a non-empty one is someone
//! else's data (kona-host's RocksDB directory, say), and is refused rather than mixed into.

use super::{InvalidPreimage, PreimageStore, StoreError};
use koa_preimage::PreimageKey;
use std::{
    fs, io,
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
};

/// The name of the file recording the layout.
const FORMAT_FILE: &str = "kvformat";
/// The `directory` layout: one sub-directory per two-byte key prefix.
pub const KV_FORMAT_DIRECTORY: &str = "directory";
/// The flat `file` layout: every preimage file directly in the data directory.
pub const KV_FORMAT_FILE: &str = "file";

/// The layout of a [`DirectoryStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Directory,
    File,
}

impl Layout {
    /// The layout a `kvformat` file names.
    fn parse(format: &str) -> Option<Self> {
        match format {
            KV_FORMAT_DIRECTORY => Some(Self::Directory),
            KV_FORMAT_FILE => Some(Self::File),
            _ => None,
        }
    }

    /// The name recorded in `kvformat`.
    const fn name(self) -> &'static str {
        match self {
            Self::Directory => KV_FORMAT_DIRECTORY,
            Self::File => KV_FORMAT_FILE,
        }
    }
}

/// A data directory of preimage files.
#[derive(Debug)]
pub struct DirectoryStore {
    root: PathBuf,
    layout: Layout,
    /// Distinguishes temporary files written concurrently by this process.
    temp_counter: AtomicU64,
}

impl DirectoryStore {
    /// Opens the data directory at `root`, creating it (in the `directory` layout) if it does
    /// not exist or is empty. A directory recording another layout than `directory` or `file`
    /// (e.g. op-program's `pebble`), or a non-empty one recording none, is refused.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, StoreError> {
        Self::open_or_create(root, KV_FORMAT_DIRECTORY)
    }

    /// As [`open`](Self::open), with `default_format` (`directory` or `file`) for a new
    /// directory; an existing one keeps the layout it records.
    pub fn open_or_create(
        root: impl Into<PathBuf>,
        default_format: &str,
    ) -> Result<Self, StoreError> {
        let root: PathBuf = root.into();
        let default: Layout = Layout::parse(default_format).ok_or_else(|| StoreError::Directory {
            path: root.clone(),
            reason: format!(
                "unsupported data format {default_format:?} (koa writes \"directory\" and \"file\")"
            ),
        })?;
        fs::create_dir_all(&root).map_err(|err| StoreError::Directory {
            path: root.clone(),
            reason: format!("cannot create it: {err}"),
        })?;
        Self::open_in(root, Some(default))
    }

    /// Opens an existing data directory at `root` to read it (offline mode): it must exist and
    /// record its layout. Nothing is created, so a mistyped path is an error, not a new empty
    /// directory.
    pub fn open_existing(root: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let root: PathBuf = root.into();
        match fs::metadata(&root) {
            Ok(meta) if meta.is_dir() => Self::open_in(root, None),
            Ok(_) => Err(StoreError::Directory {
                path: root,
                reason: "it is not a directory".into(),
            }),
            Err(err) => Err(StoreError::Directory {
                path: root,
                reason: format!(
                    "{err}: offline mode reads preimages from a data directory filled by an \
                     earlier online run (pass --l1-node-address, --l2-node-address and \
                     --l1-beacon-address to fetch them)"
                ),
            }),
        }
    }

    /// Opens `root`, which exists; `create` is the layout to record if it has none and is
    /// empty (`None`: refuse instead).
    fn open_in(root: PathBuf, create: Option<Layout>) -> Result<Self, StoreError> {
        let dir_error = |reason: String| StoreError::Directory {
            path: root.clone(),
            reason,
        };
        let format_path: PathBuf = root.join(FORMAT_FILE);
        let layout: Layout = match fs::read_to_string(&format_path) {
            Ok(format) => Layout::parse(&format).ok_or_else(|| {
                dir_error(format!(
                    "unsupported kvformat {format:?} (koa reads \"directory\" and \"file\")"
                ))
            })?,
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                let mut entries = fs::read_dir(&root)
                    .map_err(|err| dir_error(format!("cannot list it: {err}")))?;
                let empty: bool = entries.next().is_none();
                match create {
                    _ if !empty => {
                        return Err(dir_error(
                            "it is not empty and has no kvformat file, so it is not an \
                             op-program data directory (kona-host's RocksDB directory, say): \
                             pass an empty or new directory"
                                .into(),
                        ));
                    }
                    None => {
                        return Err(dir_error(
                            "it is empty: offline mode reads preimages from a data directory \
                             filled by an earlier online run (pass --l1-node-address, \
                             --l2-node-address and --l1-beacon-address to fetch them)"
                                .into(),
                        ));
                    }
                    Some(layout) => {
                        fs::write(&format_path, layout.name())
                            .map_err(|err| dir_error(format!("cannot write kvformat: {err}")))?;
                        layout
                    }
                }
            }
            Err(err) => return Err(dir_error(format!("cannot read kvformat: {err}"))),
        };
        Ok(Self {
            root,
            layout,
            temp_counter: AtomicU64::new(0),
        })
    }

    /// The layout it uses, as `kvformat` names it (`directory` or `file`).
    pub fn kv_format(&self) -> &'static str {
        self.layout.name()
    }

    /// The data directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file holding the preimage of `key`.
    pub fn path_of(&self, key: PreimageKey) -> PathBuf {
        let hex: String = hex::encode(key.as_bytes());
        match self.layout {
            Layout::Directory => self.root.join(&hex[..4]).join(format!("{}.txt", &hex[4..])),
            Layout::File => self.root.join(format!("0x{hex}.txt")),
        }
    }

    /// Every key stored in the directory, in no particular order. Files whose names are not
    /// preimage keys (e.g. temporary files) are skipped.
    pub fn keys(&self) -> Result<Vec<PreimageKey>, StoreError> {
        let list_error = |path: &Path, err: io::Error| StoreError::Directory {
            path: path.to_path_buf(),
            reason: format!("cannot list it: {err}"),
        };
        let mut keys: Vec<PreimageKey> = Vec::new();
        let mut add = |hex: &str| {
            let mut bytes: [u8; 32] = [0; 32];
            if hex.len() == 64
                && hex::decode_to_slice(hex, &mut bytes).is_ok()
                && let Ok(key) = PreimageKey::try_from(bytes)
            {
                keys.push(key);
            }
        };
        for entry in fs::read_dir(&self.root).map_err(|err| list_error(&self.root, err))? {
            let entry = entry.map_err(|err| list_error(&self.root, err))?;
            let name: String = entry.file_name().to_string_lossy().into_owned();
            match self.layout {
                Layout::File => {
                    if let Some(hex) = name
                        .strip_prefix("0x")
                        .and_then(|name| name.strip_suffix(".txt"))
                    {
                        add(hex);
                    }
                }
                Layout::Directory => {
                    if name.len() != 4 || !entry.path().is_dir() {
                        continue;
                    }
                    let sub: PathBuf = entry.path();
                    for file in fs::read_dir(&sub).map_err(|err| list_error(&sub, err))? {
                        let file = file.map_err(|err| list_error(&sub, err))?;
                        let file_name = file.file_name();
                        if let Some(rest) = file_name.to_string_lossy().strip_suffix(".txt") {
                            add(&format!("{name}{rest}"));
                        }
                    }
                }
            }
        }
        Ok(keys)
    }
}

impl PreimageStore for DirectoryStore {
    fn get(&self, key: PreimageKey) -> Result<Option<Vec<u8>>, StoreError> {
        let path: PathBuf = self.path_of(key);
        let text: Vec<u8> = match fs::read(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StoreError::Io {
                    key,
                    op: "reading",
                    path,
                    source,
                });
            }
        };
        let value: Vec<u8> = hex::decode(&text).map_err(|err| InvalidPreimage {
            key,
            reason: format!("{} is not hex: {err}", path.display()),
        })?;
        Ok(Some(value))
    }

    fn put(&self, key: PreimageKey, value: &[u8]) -> Result<(), StoreError> {
        let target: PathBuf = self.path_of(key);
        let io_error = |op: &'static str, path: &Path| {
            let path: PathBuf = path.to_path_buf();
            move |source: io::Error| StoreError::Io {
                key,
                op,
                path,
                source,
            }
        };
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(io_error("creating", parent))?;
        }
        let temp: PathBuf = self.root.join(format!(
            "{}.txt.tmp-{}-{}",
            hex::encode(key.as_bytes()),
            std::process::id(),
            self.temp_counter.fetch_add(1, Ordering::Relaxed)
        ));
        fs::write(&temp, hex::encode(value)).map_err(io_error("writing", &temp))?;
        fs::rename(&temp, &target).map_err(|source| {
            let _ = fs::remove_file(&temp);
            StoreError::Io {
                key,
                op: "renaming into",
                path: target.clone(),
                source,
            }
        })
    }
}
