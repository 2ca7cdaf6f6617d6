package dev.edgellm.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Checks that a path the build writes stays inside the folder it belongs to. */
public final class SafePaths {
  private SafePaths() {}

  /**
   * Returns {@code folder.resolve(relative)} after checking that it stays inside {@code folder}: no
   * absolute path, no {@code ..} that climbs out, and no symbolic link on the way (inside the
   * folder) that points elsewhere.
   *
   * @throws UserErrorException naming both paths when it would escape
   */
  public static Path inside(Path folder, String relative) {
    Path base = folder.toAbsolutePath().normalize();
    Path p = base.resolve(relative).normalize();
    if (!p.startsWith(base) || p.equals(base)) {
      throw new UserErrorException(
          "Refusing to write '"
              + relative
              + "': it resolves to "
              + p
              + ", outside "
              + base
              + "; use a plain file name inside that folder");
    }
    requireNoLinkOut(base, p);
    return p;
  }

  /**
   * Throws when an existing part of {@code path} below {@code base} is a symbolic link whose target
   * lies outside {@code base} (a symlink escape).
   */
  public static void requireNoLinkOut(Path base, Path path) {
    Path realBase;
    try {
      realBase = base.toRealPath();
    } catch (IOException e) {
      return; // the folder does not exist yet: nothing below it can be a link
    }
    Path rel = base.relativize(path);
    Path cur = base;
    for (Path part : rel) {
      cur = cur.resolve(part);
      if (Files.isSymbolicLink(cur)) {
        Path real;
        try {
          real = cur.toRealPath();
        } catch (IOException e) {
          real = null;
        }
        if (real == null || !real.startsWith(realBase)) {
          throw new UserErrorException(
              "Refusing to write through "
                  + cur
                  + ": it is a symbolic link to "
                  + (real == null ? "a missing target" : real)
                  + ", outside "
                  + base
                  + "; remove the link");
        }
      } else if (!Files.exists(cur, LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
    }
  }
}
