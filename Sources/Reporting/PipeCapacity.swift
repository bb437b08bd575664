import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The capacity of the pipe a report is written into. Linux gives a pipe 64 KiB and lets its writer raise that up to
/// /proc/sys/fs/pipe-max-size (1 MiB unless an administrator changed it). A writer of gigabytes, the pair list, and
/// its reader otherwise wake each other for every 64 KiB: at 20,000 workloads, `map --format pairs | wc -c` took
/// 11.5 s with 64 KiB and 5.3 s with 1 MiB (docs/PERFORMANCE.md).
public enum PipeCapacity {
    /// Raises the capacity of `fd`, if it is a pipe, to `bytes` when the system grants it (the kernel rounds up to a
    /// power of two pages). Returns the capacity after, nil when `fd` is not a pipe or the system has no such setting
    /// (not Linux).
    @discardableResult
    public static func widen(_ fd: Int32, to bytes: Int = 1 << 20) -> Int? {
        #if os(Linux)
            var status = stat()
            guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFIFO else { return nil }
            let current = Int(fcntl(fd, getSize))
            guard current > 0 else { return nil }
            guard bytes > current else { return current }
            // Refused (a lower pipe-max-size, or the user's pipe memory used up): the pipe stays as it was.
            let granted = Int(fcntl(fd, setSize, Int32(clamping: bytes)))
            return granted > 0 ? granted : current
        #else
            return nil
        #endif
    }

    /// Linux's F_SETPIPE_SZ and F_GETPIPE_SZ (F_LINUX_SPECIFIC_BASE, 1024, plus 7 and 8, in <linux/fcntl.h>), which
    /// Glibc's Swift module does not export.
    static let setSize: Int32 = 1031
    static let getSize: Int32 = 1032
}
