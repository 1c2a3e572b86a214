//! Writing a file so that a crash never leaves half of it: a temporary file in the same
//! directory, flushed to disk, renamed over the target, and the directory flushed too.
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use nps_core::NpsError;

/// The error of an atomic write: the path, the step that failed and the system's message.
fn failed(path: &Path, step: &str, e: impl std::fmt::Display) -> NpsError {
    NpsError::Store { path: path.display().to_string(), table: "file".into(), message: format!("{step}: {e}") }
}

/// Writes `bytes` to `path` atomically: readers see the old file or the new one, never a
/// part. The bytes go to a temporary file beside the target (same directory, so the rename
/// stays on one file system), which is fsynced, renamed over `path`, and the directory is
/// fsynced so the rename itself survives a power loss. On any error the temporary file is
/// removed and `path` is left as it was. Errors: [`NpsError::Store`] naming the path and the
/// step (create, write, sync, rename).
pub fn write_atomic(path: impl AsRef<Path>, bytes: &[u8]) -> nps_core::Result<()> {
    let path = path.as_ref();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    let name = path.file_name().ok_or_else(|| failed(path, "write", "not a file name"))?;
    // One temporary file per call: the process id keeps processes apart, the counter threads
    // (two threads writing the same target would otherwise write into one temporary file).
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let n = WRITES.fetch_add(1, Ordering::Relaxed);
    let temp = dir.join(format!(".{}.{}.{n}.tmp", name.to_string_lossy(), std::process::id()));
    let write = || -> nps_core::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&temp)
            .map_err(|e| failed(path, "create a temporary file", e))?;
        file.write_all(bytes).map_err(|e| failed(path, "write", e))?;
        file.sync_all().map_err(|e| failed(path, "sync", e))?;
        fs::rename(&temp, path).map_err(|e| failed(path, "rename", e))?;
        Ok(())
    };
    if let Err(e) = write() {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    // The rename is durable once the directory entry is: fsync the directory (on platforms
    // that cannot open a directory this is skipped; the file itself is already on disk).
    if let Ok(d) = File::open(&dir) {
        d.sync_all().map_err(|e| failed(path, "sync the directory", e))?;
    }
    Ok(())
}
