package dev.edgellm.hub;

import dev.edgellm.hub.HubResolver.Resolved;
import dev.edgellm.util.Reporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A revision from the Hugging Face cache alone (offline, or when the Hub cannot be reached): the
 * commit its ref records, the selected files present in the snapshot and intact, else an error that
 * names what is missing and how to get it.
 */
final class CachedSnapshot {
  private CachedSnapshot() {}

  /**
   * The revision from the cache alone. {@code reason} says why the build is offline; null when the
   * Hub was unreachable (then any miss is reported as the network error instead).
   */
  static Resolved resolve(
      HubId id, FileSelection selection, HubCache cache, String reason, Reporter reporter)
      throws IOException {
    String fix =
        " Run the build once online (without HF_HUB_OFFLINE and -o) to download it, or put the"
            + " files there with `hf download "
            + id.repo()
            + (id.revision().equals(HubId.DEFAULT_REVISION) ? "" : " --revision " + id.revision())
            + "`";
    Optional<String> commit = cache.commitFor(id.revision());
    if (commit.isEmpty()) {
      throw new HubException(
          "Offline ("
              + reason
              + "): "
              + id
              + " is not in the Hugging Face cache: "
              + (Files.isDirectory(cache.repoFolder())
                  ? cache.repoFolder()
                      + " has no "
                      + (id.isCommit() ? "snapshots/" : "refs/")
                      + id.revision()
                  : cache.repoFolder() + " does not exist")
              + "."
              + fix);
    }
    Path snapshot = cache.snapshot(commit.get());
    Set<String> present = new TreeSet<>();
    for (String f : selection.names()) {
      if (HubCache.present(snapshot.resolve(f))) {
        present.add(f);
      }
    }
    List<String> files;
    try {
      files = new ArrayList<>(selection.select(id, present, snapshot.toString()));
    } catch (HubException e) {
      throw lacks(id, reason, selection.missing(present), snapshot, fix);
    }
    for (String f : List.copyOf(files)) {
      if (FileSelection.isIndex(f)) {
        List<String> lacking = new ArrayList<>();
        for (String shard : FileSelection.shards(snapshot.resolve(f), id)) {
          files.add(shard);
          if (!HubCache.present(snapshot.resolve(shard))) {
            lacking.add(shard);
          }
        }
        if (!lacking.isEmpty()) {
          throw lacks(id, reason, String.join(", ", lacking), snapshot, fix);
        }
      }
    }
    for (String f : files) {
      Path link = snapshot.resolve(f);
      Optional<String> etag = cache.linkedEtag(link);
      String problem = etag.isPresent() ? HubCache.verify(link, etag.get(), -1) : null;
      if (problem != null) {
        throw new HubException(
            "The cached "
                + f
                + " of "
                + id
                + " is corrupted: "
                + cache.blob(etag.get())
                + " has "
                + problem
                + ". Delete that file and run the build online to download it again");
      }
    }
    if (reason != null) {
      reporter.info(
          "hub: "
              + id
              + " is commit "
              + commit.get()
              + " in the cache (offline: "
              + reason
              + "); "
              + selection.what()
              + " files in "
              + snapshot);
    }
    return new Resolved(snapshot, id, commit.get());
  }

  private static HubException lacks(
      HubId id, String reason, String missing, Path snapshot, String fix) {
    return new HubException(
        "Offline ("
            + reason
            + "): the cached snapshot of "
            + id
            + " lacks files: "
            + missing
            + " missing in "
            + snapshot
            + "."
            + fix);
  }
}
