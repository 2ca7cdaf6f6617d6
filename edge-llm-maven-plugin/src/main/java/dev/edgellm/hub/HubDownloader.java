package dev.edgellm.hub;

import dev.edgellm.util.AtomicFiles;
import dev.edgellm.util.ProgressMeter;
import dev.edgellm.util.Reporter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Puts a revision's files into the Hugging Face cache: checks the cached ones against their etag,
 * downloads the others to {@code blobs/<etag>.incomplete} (resumed with Range after a dropped
 * connection, up to {@link #ATTEMPTS} times), verifies, renames and links them into the snapshot,
 * showing progress.
 */
final class HubDownloader {
  /** Download attempts per file within one build before giving up (a later build resumes). */
  static final int ATTEMPTS = 5;

  private final HubClient client;
  private final Reporter reporter;

  HubDownloader(HubClient client, Reporter reporter) {
    this.client = client;
    this.reporter = reporter;
  }

  /**
   * Puts every one of {@code files} into {@code snapshots/<commit>}, downloading what is missing.
   */
  void fetch(HubId id, String commit, HubCache cache, List<String> files) throws IOException {
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
              + HubUrls.withoutQuery(meta.location())
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
              + HubUrls.origin(meta.location())
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
}
