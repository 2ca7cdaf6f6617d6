package dev.edgellm.stage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.util.AtomicFiles;
import dev.edgellm.util.FileTrees;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The staged folder on disk: a new staging is built beside it under a temporary name, compared with
 * it, and renamed into its place.
 */
final class StagingFolder {
  private StagingFolder() {}

  /** A short random id for temporary names. */
  static String shortId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Puts {@code building} in place of {@code target}: rename the old one aside, rename the new one
   * in, delete the old.
   */
  static void replace(Path building, Path target, Reporter log) throws IOException {
    if (!Files.exists(target)) {
      AtomicFiles.move(building, target);
      return;
    }
    Path previous = target.resolveSibling("." + target.getFileName() + ".previous-" + shortId());
    AtomicFiles.move(target, previous);
    try {
      AtomicFiles.move(building, target);
    } catch (IOException e) {
      AtomicFiles.move(previous, target);
      throw e;
    }
    deleteTree(previous);
    log.debug("Replaced the previous staging of " + target.getFileName());
  }

  /**
   * True when {@code building} holds exactly the files of the existing {@code target}, with the
   * same bytes, edge-llm.json compared without its {@code validation} summary (which the validate
   * goal adds).
   */
  static boolean sameStaging(Path building, Path target) throws IOException {
    if (!Files.isDirectory(target)) {
      return false;
    }
    List<Path> mine = relativeFiles(building);
    if (!mine.equals(relativeFiles(target))) {
      return false;
    }
    for (Path rel : mine) {
      Path a = building.resolve(rel);
      Path b = target.resolve(rel);
      if (rel.toString().equals(Stager.MANIFEST)) {
        ObjectNode ma;
        ObjectNode mb;
        try {
          ma = Json.readObject(a);
          mb = Json.readObject(b);
        } catch (IOException e) {
          return false;
        }
        ma.remove("validation");
        mb.remove("validation");
        if (!ma.equals(mb)) {
          return false;
        }
      } else if (Files.mismatch(a, b) != -1) {
        return false;
      }
    }
    return true;
  }

  /** Gives each new file whose bytes equal the staged one's that file's modification time. */
  static void keepTimesOfUnchangedFiles(Path building, Path target) throws IOException {
    if (!Files.isDirectory(target)) {
      return;
    }
    for (Path rel : relativeFiles(building)) {
      Path old = target.resolve(rel);
      Path now = building.resolve(rel);
      if (Files.isRegularFile(old)
          && Files.size(old) == Files.size(now)
          && Files.mismatch(old, now) == -1) {
        Files.setLastModifiedTime(now, Files.getLastModifiedTime(old));
      }
    }
  }

  private static List<Path> relativeFiles(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
    }
  }

  static void deleteTree(Path root) throws IOException {
    FileTrees.delete(root);
  }
}
