package dev.edgellm.hub;

import dev.edgellm.util.Reporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns {@code edgellm.checkpoint} (or {@code edgellm.adapter}) into a local folder: a folder is
 * itself; a Hub id ({@code org/name} or {@code org/name@revision}) becomes its snapshot folder in
 * the Hugging Face cache, {@code models--org--name/snapshots/<commit>}, after downloading the files
 * the {@link FileSelection} names that the cache lacks.
 *
 * <p><b>Folder or id:</b> a path that exists (relative to {@code baseDir}) is a folder, whatever
 * its form; otherwise text of the form {@code org/name[@revision]} is a Hub id; anything else is a
 * folder (that does not exist, which the caller reports). So a folder {@code google/gemma} next to
 * the pom shadows the Hub id {@code google/gemma}; write {@code ./google/gemma} to always mean the
 * folder.
 *
 * <p>Online, the revision's commit comes from the Hub's API ({@code refs/<revision>} records it);
 * files already in {@code snapshots/<commit>} are not asked for again; the others are downloaded to
 * {@code blobs/<etag>.incomplete} (resumed with Range after a dropped connection, also in a later
 * build), checked against the etag (SHA-256 of LFS files, git SHA-1 of small ones), renamed to
 * {@code blobs/<etag>} and linked into the snapshot. Cached blobs are checked too: a corrupted one
 * is downloaded again (online) or reported (offline). Offline ({@code HF_HUB_OFFLINE=1}, Maven's
 * {@code -o}), only the cache is used; what it lacks is an error that names it. When the Hub cannot
 * be reached and the cache holds the whole revision, the cache is used with a warning, as
 * huggingface_hub does.
 */
public final class HubResolver {
  private final HubSettings settings;
  private final Reporter reporter;
  private final HubClient client;
  private final HubDownloader downloader;

  /** Where a checkpoint came from: a folder, or a Hub id resolved to a commit. */
  public record Resolved(Path folder, HubId id, String commit) {
    /** Whether it came from the Hub. */
    public boolean fromHub() {
      return id != null;
    }

    /** A name for it: the repository's name for a Hub id, else the folder's name. */
    public String name() {
      return id != null ? id.name() : folder.toAbsolutePath().normalize().getFileName().toString();
    }
  }

  public HubResolver(HubSettings settings, Reporter reporter) {
    this(settings, reporter, new HubClient(settings));
  }

  HubResolver(HubSettings settings, Reporter reporter, HubClient client) {
    this.settings = settings;
    this.reporter = reporter;
    this.client = client;
    this.downloader = new HubDownloader(client, reporter);
  }

  /** The settings in use. */
  public HubSettings settings() {
    return settings;
  }

  /**
   * {@code folderOrId} as a local folder: the folder itself, or the snapshot folder of a Hub id
   * with the selected files in it. A relative folder is taken relative to the working directory.
   */
  public Path resolve(String folderOrId, FileSelection selection) throws IOException {
    return resolve(folderOrId, Path.of(""), selection).folder();
  }

  /** As {@link #resolve(String, FileSelection)}, relative folders taken from {@code baseDir}. */
  public Resolved resolve(String folderOrId, Path baseDir, FileSelection selection)
      throws IOException {
    String text = folderOrId.strip();
    Path folder = baseDir.resolve(text);
    if (Files.exists(folder) || !HubId.looksLikeId(text)) {
      return new Resolved(folder, null, null);
    }
    return resolve(HubId.parse(text), selection);
  }

  /** The snapshot folder of {@code id} holding the selected files. */
  public Resolved resolve(HubId id, FileSelection selection) throws IOException {
    HubCache cache = new HubCache(settings.cache(), id);
    if (settings.isOffline()) {
      return CachedSnapshot.resolve(id, selection, cache, settings.offlineReason(), reporter);
    }
    HubClient.RepoInfo info;
    try {
      info = client.revision(id);
    } catch (HubClient.Unreachable e) {
      Resolved cached;
      try {
        cached = CachedSnapshot.resolve(id, selection, cache, null, reporter);
      } catch (HubException notCached) {
        throw e;
      }
      reporter.warn(e.getMessage());
      reporter.warn("hub: using " + id + " (commit " + cached.commit() + ") from the cache");
      return cached;
    }
    String commit = info.commit();
    cache.writeRef(id.revision(), commit);
    Path snapshot = cache.snapshot(commit);
    Set<String> available = new TreeSet<>(info.files());
    List<String> files = selection.select(id, available, "the repository");
    downloader.fetch(id, commit, cache, files);
    List<String> shards = new ArrayList<>();
    for (String f : files) {
      if (FileSelection.isIndex(f)) {
        for (String shard : FileSelection.shards(snapshot.resolve(f), id)) {
          if (!available.contains(shard)) {
            throw new HubException(
                f
                    + " of "
                    + id
                    + " names the shard "
                    + shard
                    + ", which the repository does not hold");
          }
          shards.add(shard);
        }
      }
    }
    downloader.fetch(id, commit, cache, shards);
    reporter.info(
        "hub: " + id + " is commit " + commit + "; " + selection.what() + " files in " + snapshot);
    return new Resolved(snapshot, id, commit);
  }
}
