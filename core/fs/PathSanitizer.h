#pragma once

#include "common/Result.h"

#include <QString>
#include <QStringView>

#include <functional>
#include <optional>

namespace ll::fs {

/**
 * Path safety for archive entries and extraction targets. Purely lexical: nothing here touches the disk.
 * (Writers must still refuse to write through a symlink that exists on disk; see extract/.)
 */
class PathSanitizer
{
public:
    PathSanitizer() = delete;

    /**
     * Normalises an archive path to a relative path below the image root: a leading "/" is dropped,
     * empty and "." components are dropped, "a/../b" becomes "b". "." is returned for the root.
     * A ".." that would climb above the root, or a NUL character, gives Error::UnsafePath.
     */
    static Result<QString> safeRelative(QStringView path);

    /** True when path is already in normal form (what safeRelative would return unchanged). */
    static bool isNormal(QStringView path);

    /**
     * The absolute output path of relPath extracted under rootDir (rootDir is made absolute and cleaned),
     * or Error::UnsafePath when relPath escapes. relPath "." gives rootDir itself.
     */
    static Result<QString> resolveInside(const QString &rootDir, QStringView relPath);

    /**
     * Answers "is this path (relative to the image root, normal form) a symlink, and to what?":
     * the raw link target, or std::nullopt when the path is not a symlink (or does not exist).
     */
    using ReadLink = std::function<std::optional<QString>(const QString &path)>;

    /**
     * Resolves path inside an image tree, following symlinks the way the kernel does inside a chroot:
     * an absolute target is relative to the image root, a relative one to the link's directory, ".." at
     * the root stays at the root (nothing ever resolves above it). Missing components are kept as they
     * are (like `realpath -m`). followFinal = false leaves a symlink in the last component unresolved.
     * More than maxHops links gives Error::NotFound ("too many levels of symbolic links").
     * Returns the resolved path in normal form ("." for the root).
     */
    static Result<QString> resolveInImage(
        QStringView path, const ReadLink &readLink, bool followFinal = true, int maxHops = 40);
};

} // namespace ll::fs
