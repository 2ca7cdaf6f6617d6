package dev.edgellm.hub;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.util.AtomicFiles;
import dev.edgellm.util.Json;
import dev.edgellm.util.ProgressMeter;
import dev.edgellm.util.Reporter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
  /** Download attempts per file within one build before giving up (a later build resumes). */
  static final int ATTEMPTS = 5;

  private final HubSettings settings;
  private final Reporter reporter;
  private final HubClient client;

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
      return fromCache(id, selection, cache, settings.offlineReason());
    }
    HubClient.RepoInfo info;
    try {
      info = client.revision(id);
    } catch (HubClient.Unreachable e) {
      Resolved cached;
      try {
        cached = fromCache(id, selection, cache, null);
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
    List<String> files = select(id, selection, available, "the repository");
    fetch(id, commit, cache, files);
    List<String> shards = new ArrayList<>();
    for (String f : files) {
      if (FileSelection.isIndex(f)) {
        for (String shard : shards(snapshot.resolve(f), id)) {
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
    fetch(id, commit, cache, shards);
    reporter.info(
        "hub: " + id + " is commit " + commit + "; " + selection.what() + " files in " + snapshot);
    return new Resolved(snapshot, id, commit);
  }

  /** The files of {@code selection} that {@code available} holds; missing required ones fail. */
  private static List<String> select(
      HubId id, FileSelection selection, Set<String> available, String where) {
    Set<String> chosen = new LinkedHashSet<>();
    List<String> missing = new ArrayList<>();
    for (String f : selection.required()) {
      if (available.contains(f)) {
        chosen.add(f);
      } else {
        missing.add(f);
      }
    }
    for (List<String> group : selection.alternatives()) {
      Optional<String> first = group.stream().filter(available::contains).findFirst();
      if (first.isPresent()) {
        chosen.add(first.get());
      } else {
        missing.add(String.join(" or ", group));
      }
    }
    if (!missing.isEmpty()) {
      throw new HubException(
          id
              + " is not a "
              + selection.what()
              + " edge-llm can read: "
              + where
              + " has no "
              + String.join(", no ", missing)
              + " (it has: "
              + summary(available)
              + "). Only safetensors checkpoints in the Hugging Face layout are supported;"
              + " pick a repository (or revision) that has them");
    }
    for (String f : selection.optional()) {
      if (available.contains(f)) {
        chosen.add(f);
      }
    }
    return List.copyOf(chosen);
  }

  private static String summary(Set<String> files) {
    if (files.isEmpty()) {
      return "no files";
    }
    List<String> list = new ArrayList<>(files);
    return list.size() <= 12
        ? String.join(", ", list)
        : String.join(", ", list.subList(0, 12)) + ", ... " + (list.size() - 12) + " more";
  }

  /** The shard files a safetensors index names, in order, each once. */
  private static List<String> shards(Path index, HubId id) throws IOException {
    JsonNode map;
    try {
      map = Json.read(index).path("weight_map");
    } catch (IOException e) {
      throw new HubException(
          index.getFileName() + " of " + id + " is not valid JSON: " + e.getMessage(), e);
    }
    Set<String> shards = new LinkedHashSet<>();
    map.elements().forEachRemaining(v -> shards.add(v.asText()));
    for (String s : shards) {
      if (s.isEmpty() || s.startsWith("/") || s.contains("..") || s.contains("\\")) {
        throw new HubException(
            index.getFileName() + " of " + id + " names an unusable shard '" + s + "'");
      }
    }
    return List.copyOf(shards);
  }

  /**
   * Puts every one of {@code files} into {@code snapshots/<commit>}, downloading what is missing.
   */
  private void fetch(HubId id, String commit, HubCache cache, List<String> files)
      throws IOException {
    Path snapshot = cache.snapshot(commit);
    List<String> needed = new ArrayList<>();
    for (String f : files) {
      Path link = snapshot.resolve(f);
      if (HubCache.present(link)) {
        Optional<String> etag = cache.linkedEtag(link);
        String problem = etag.isPresent() ? HubCache.verify(link, etag.get(), -1) : null;
        if (problem == null) {
          continue;
        }
        reporter.warn(
            "hub: the cached "
                + f
                + " of "
                + id
                + " ("
                + cache.blob(etag.get())
                + ") is corrupted ("
                + problem
                + "); downloading it again");
        Files.deleteIfExists(cache.blob(etag.get()));
      }
      needed.add(f);
    }
    if (needed.isEmpty()) {
      return;
    }
    List<HubClient.FileMeta> metas = new ArrayList<>();
    long total = 0;
    for (String f : needed) {
      HubClient.FileMeta meta = client.metadata(id, commit, f);
      metas.add(meta);
      total += Math.max(0, meta.size());
    }
    reporter.info(
        String.format(
            Locale.ROOT,
            "hub: downloading %d file%s of %s (%.1f MB) into %s",
            needed.size(),
            needed.size() == 1 ? "" : "s",
            id,
            ProgressMeter.mb(total),
            cache.repoFolder()));
    ProgressMeter meter = new ProgressMeter(reporter, "hub", "file", needed.size(), total, 2000);
    for (int i = 0; i < needed.size(); i++) {
      String f = needed.get(i);
      HubClient.FileMeta meta = metas.get(i);
      Path blob = cache.blob(meta.etag());
      cache.withBlobLock(
          meta.etag(),
          () -> {
            if (Files.isRegularFile(blob)
                && HubCache.verify(blob, meta.etag(), meta.size()) == null) {
              meter.advance(f, Math.max(0, meta.size()));
            } else {
              downloadBlob(id, f, meta, cache, meter);
            }
            return null;
          });
      cache.link(commit, f, blob);
      meter.itemDone(f, 0);
    }
  }

  private void downloadBlob(
      HubId id, String file, HubClient.FileMeta meta, HubCache cache, ProgressMeter meter)
      throws IOException {
    Path incomplete = cache.incomplete(meta.etag());
    Files.createDirectories(incomplete.getParent());
    long resumedFrom = Files.exists(incomplete) ? Files.size(incomplete) : 0;
    if (resumedFrom > 0) {
      reporter.info(
          "hub: resuming "
              + file
              + " of "
              + id
              + " at byte "
              + resumedFrom
              + " ("
              + incomplete
              + ")");
      meter.advance(file, resumedFrom);
    }
    IOException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        client.download(id, file, meta.location(), incomplete, n -> meter.advance(file, n));
        long got = Files.size(incomplete);
        if (meta.size() >= 0 && got < meta.size()) {
          throw new IOException(
              "the connection closed after " + got + " of " + meta.size() + " bytes");
        }
        last = null;
        break;
      } catch (HubException e) {
        throw e;
      } catch (InterruptedIOException e) {
        throw e;
      } catch (IOException e) {
        last = e;
        long have = Files.exists(incomplete) ? Files.size(incomplete) : 0;
        if (attempt < ATTEMPTS) {
          reporter.warn(
              "hub: download of "
                  + file
                  + " of "
                  + id
                  + " interrupted at byte "
                  + have
                  + " ("
                  + e.getMessage()
                  + "); resuming (attempt "
                  + (attempt + 1)
                  + " of "
                  + ATTEMPTS
                  + ")");
          sleep(250L * attempt);
        }
      }
    }
    if (last != null) {
      long have = Files.exists(incomplete) ? Files.size(incomplete) : 0;
      throw new HubException(
          "Download of "
              + file
              + " of "
              + id
              + " from "
              + HubClient.withoutQuery(meta.location())
              + " failed "
              + ATTEMPTS
              + " times ("
              + last.getMessage()
              + "); "
              + have
              + " bytes are kept in "
              + incomplete
              + " and the next build resumes from there. Check the network connection",
          last);
    }
    String problem = HubCache.verify(incomplete, meta.etag(), meta.size());
    if (problem != null) {
      Files.deleteIfExists(incomplete);
      throw new HubException(
          "The download of "
              + file
              + " of "
              + id
              + " is corrupted: it has "
              + problem
              + " (etag). It was deleted; run the build again to download it anew. If this repeats,"
              + " a proxy between you and "
              + HubClient.origin(meta.location())
              + " alters downloads");
    }
    AtomicFiles.move(incomplete, cache.blob(meta.etag()));
  }

  private static void sleep(long millis) throws InterruptedIOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    }
  }

  /**
   * The revision from the cache alone. {@code reason} says why the build is offline; null when the
   * Hub was unreachable (then any miss is reported as the network error instead).
   */
  private Resolved fromCache(HubId id, FileSelection selection, HubCache cache, String reason)
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
    for (String f : allNames(selection)) {
      if (HubCache.present(snapshot.resolve(f))) {
        present.add(f);
      }
    }
    List<String> files;
    try {
      files = new ArrayList<>(select(id, selection, present, snapshot.toString()));
    } catch (HubException e) {
      throw new HubException(
          "Offline ("
              + reason
              + "): the cached snapshot of "
              + id
              + " lacks files: "
              + missing(selection, present)
              + " missing in "
              + snapshot
              + "."
              + fix);
    }
    for (String f : List.copyOf(files)) {
      if (FileSelection.isIndex(f)) {
        List<String> lacking = new ArrayList<>();
        for (String shard : shards(snapshot.resolve(f), id)) {
          files.add(shard);
          if (!HubCache.present(snapshot.resolve(shard))) {
            lacking.add(shard);
          }
        }
        if (!lacking.isEmpty()) {
          throw new HubException(
              "Offline ("
                  + reason
                  + "): the cached snapshot of "
                  + id
                  + " lacks files: "
                  + String.join(", ", lacking)
                  + " missing in "
                  + snapshot
                  + "."
                  + fix);
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

  private static List<String> allNames(FileSelection selection) {
    List<String> names = new ArrayList<>(selection.required());
    selection.alternatives().forEach(names::addAll);
    names.addAll(selection.optional());
    return names;
  }

  private static String missing(FileSelection selection, Set<String> present) {
    List<String> missing = new ArrayList<>();
    for (String f : selection.required()) {
      if (!present.contains(f)) {
        missing.add(f);
      }
    }
    for (List<String> group : selection.alternatives()) {
      if (group.stream().noneMatch(present::contains)) {
        missing.add(String.join(" or ", group));
      }
    }
    return String.join(", ", missing);
  }
}
