package dev.edgellm.stage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.util.AtomicFiles;
import dev.edgellm.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Files in a staged folder that stage did not write: everything its {@code edge-llm.json} does not
 * list (the manifest itself and the folders of listed files excepted). Stage replaces a folder as a
 * whole, so it refuses while any is there rather than delete a user's file.
 */
final class ForeignFiles {
  private ForeignFiles() {}

  /**
   * The foreign entries of the staged folder {@code target} (relative paths with {@code /},
   * sorted); empty when the folder does not exist.
   *
   * @throws StageException when the folder's manifest cannot be read (then stage cannot tell its
   *     files from the user's)
   */
  static List<String> in(Path target) throws IOException, StageException {
    if (!Files.isDirectory(target)) {
      return List.of();
    }
    Path manifest = target.resolve(Stager.MANIFEST);
    Set<String> written = new HashSet<>();
    written.add(Stager.MANIFEST);
    try {
      for (JsonNode f : Json.readObject(manifest).path("files")) {
        written.add(f.path("path").asText());
      }
    } catch (IOException e) {
      throw new StageException(
          manifest
              + " cannot be read ("
              + e.getMessage()
              + "), so stage cannot tell the files it wrote from yours; move your files out of "
              + target
              + " and delete it, or choose another edgellm.stage.directory",
          e);
    }
    Set<String> folders = new HashSet<>();
    for (String w : written) {
      for (int i = w.indexOf('/'); i > 0; i = w.indexOf('/', i + 1)) {
        folders.add(w.substring(0, i));
      }
    }
    List<String> foreign = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(target)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (p.equals(target)) {
          continue;
        }
        String rel = target.relativize(p).toString().replace('\\', '/');
        boolean ours =
            Files.isSymbolicLink(p)
                ? false
                : Files.isDirectory(p)
                    ? folders.contains(rel)
                    : written.contains(rel) || isTemporaryOfOurs(rel, written);
        if (!ours && !foreign.stream().anyMatch(f -> rel.startsWith(f + "/"))) {
          foreign.add(rel);
        }
      }
    }
    foreign.sort(null);
    return foreign;
  }

  /** A temporary file {@code AtomicFiles} left beside one of ours (a killed validate). */
  private static boolean isTemporaryOfOurs(String rel, Set<String> written) {
    int slash = rel.lastIndexOf('/');
    String dir = rel.substring(0, slash + 1);
    String name = rel.substring(slash + 1);
    for (String w : written) {
      if (w.startsWith(dir)
          && w.indexOf('/', dir.length()) < 0
          && AtomicFiles.isTemporaryOf(name, w.substring(dir.length()))) {
        return true;
      }
    }
    return false;
  }

  /** Throws when {@code target} holds files stage did not write, listing them (at most 20). */
  static void refuseIfAny(Path target) throws IOException, StageException {
    List<String> foreign = in(target);
    if (foreign.isEmpty()) {
      return;
    }
    List<String> shown = foreign.size() > 20 ? foreign.subList(0, 20) : foreign;
    throw new StageException(
        target
            + " holds "
            + foreign.size()
            + (foreign.size() == 1 ? " file" : " files")
            + " that stage did not write: "
            + String.join(", ", shown)
            + (foreign.size() > shown.size() ? ", ..." : "")
            + "; stage replaces this folder as a whole and never deletes your files:"
            + " move them out of it (or choose another edgellm.stage.directory) and run again");
  }
}
