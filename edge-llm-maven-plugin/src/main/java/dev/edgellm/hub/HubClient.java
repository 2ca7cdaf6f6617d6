package dev.edgellm.hub;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.maven.Properties;
import dev.edgellm.util.Json;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * The Hub's HTTP API as huggingface_hub uses it: {@code GET /api/models/{id}/revision/{rev}} for
 * the commit and file list, {@code HEAD /{id}/resolve/{commit}/{file}} for a file's etag, size and
 * download location ({@code X-Repo-Commit}, {@code X-Linked-Etag}/{@code ETag}, {@code
 * X-Linked-Size}/{@code Content-Length}, {@code Location}), then {@code GET} with {@code Range} to
 * resume. The token goes only to the endpoint's own host and port: never to a CDN a redirect points
 * at.
 */
final class HubClient {
  private static final int MAX_REDIRECTS = 10;
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final HubSettings settings;
  private final HttpClient http;
  private final String userAgent;
  private final Duration readTimeout;

  /** A revision: its commit and the files of that commit. */
  record RepoInfo(String commit, List<String> files) {}

  /** What the {@code resolve} HEAD says about a file. */
  record FileMeta(String commit, String etag, long size, URI location) {}

  /** The Hub could not be reached (as opposed to answering with an error). */
  static final class Unreachable extends HubException {
    private static final long serialVersionUID = 1L;

    Unreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  HubClient(HubSettings settings) {
    this(settings, Duration.ofSeconds(60));
  }

  /** {@code readTimeout}: the longest a download may go without a byte before it is retried. */
  HubClient(HubSettings settings, Duration readTimeout) {
    this(
        settings,
        readTimeout,
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(20))
            .proxy(ProxySelector.getDefault())
            .build());
  }

  /** With {@code http} for every request (the fuzz target answers from memory). */
  HubClient(HubSettings settings, Duration readTimeout, HttpClient http) {
    this.settings = settings;
    this.readTimeout = readTimeout;
    this.http = http;
    String version = HubClient.class.getPackage().getImplementationVersion();
    this.userAgent =
        "edge-llm-maven-plugin/"
            + (version == null ? "dev" : version)
            + "; java/"
            + System.getProperty("java.version");
  }

  /** The commit a revision points at and the files it holds. */
  RepoInfo revision(HubId id) throws IOException {
    URI url =
        URI.create(
            settings.endpoint()
                + "/api/models/"
                + id.repo()
                + "/revision/"
                + HubUrls.encode(id.revision()));
    HttpResponse<byte[]> r =
        send(id, "GET", url, null, HttpResponse.BodyHandlers.ofByteArray(), false);
    if (r.statusCode() != 200) {
      throw HubErrors.of(settings, id, null, r.statusCode(), r.headers(), true);
    }
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new HubException(
          "The Hub at "
              + settings.endpoint()
              + " answered "
              + url.getPath()
              + " with something that is not JSON; is HF_ENDPOINT (or "
              + Properties.HUB_ENDPOINT
              + ") a Hugging Face Hub?",
          e);
    }
    String sha = json.path("sha").asText("");
    if (!HubId.isCommit(sha)) {
      throw new HubException(
          "The Hub at "
              + settings.endpoint()
              + " gave no commit for "
              + id
              + " (no 40-hex \"sha\" in its answer); is HF_ENDPOINT a Hugging Face Hub?");
    }
    List<String> files = new ArrayList<>();
    for (JsonNode sibling : json.path("siblings")) {
      String name = sibling.path("rfilename").asText("");
      if (!name.isEmpty()) {
        files.add(name);
      }
    }
    return new RepoInfo(sha, List.copyOf(files));
  }

  /** The URL huggingface_hub downloads {@code file} of {@code commit} from. */
  URI resolveUrl(HubId id, String commit, String file) {
    StringBuilder path = new StringBuilder();
    for (String segment : file.split("/")) {
      path.append('/').append(HubUrls.encode(segment));
    }
    return URI.create(
        settings.endpoint() + "/" + id.repo() + "/resolve/" + HubUrls.encode(commit) + path);
  }

  /**
   * HEAD on the file's resolve URL, following redirects on the endpoint's host (a renamed
   * repository) but not to another host (the CDN of an LFS file, whose Location is returned).
   */
  FileMeta metadata(HubId id, String commit, String file) throws IOException {
    URI url = resolveUrl(id, commit, file);
    HttpResponse<Void> r =
        send(id, "HEAD", url, null, HttpResponse.BodyHandlers.discarding(), false);
    int code = r.statusCode();
    boolean redirect = code >= 300 && code < 400;
    if (code != 200 && !redirect) {
      throw HubErrors.of(settings, id, file, code, r.headers(), false);
    }
    String etag =
        r.headers()
            .firstValue("X-Linked-Etag")
            .or(() -> r.headers().firstValue("ETag"))
            .map(HubHeaders::normalizeEtag)
            .orElseThrow(
                () ->
                    new HubException(
                        "The Hub at "
                            + settings.endpoint()
                            + " gave no ETag for "
                            + file
                            + " of "
                            + id
                            + "; is HF_ENDPOINT a Hugging Face Hub (a proxy that strips headers?)"));
    if (etag.isEmpty() || etag.contains("/") || etag.startsWith(".")) {
      throw new HubException("The Hub gave an unusable ETag for " + file + " of " + id);
    }
    long size =
        r.headers()
            .firstValue("X-Linked-Size")
            .or(() -> r.headers().firstValue("Content-Length"))
            .map(HubHeaders::parseLong)
            .orElse(-1L);
    String repoCommit = r.headers().firstValue("X-Repo-Commit").orElse(commit);
    URI location = r.uri();
    if (redirect) {
      Optional<String> to = r.headers().firstValue("Location");
      if (to.isEmpty()) {
        throw new HubException(
            "The Hub at "
                + settings.endpoint()
                + " answered HTTP "
                + code
                + " without a Location for "
                + file
                + " of "
                + id
                + "; is HF_ENDPOINT a Hugging Face Hub?");
      }
      location = redirectTarget(r.uri(), to.get(), id);
    }
    return new FileMeta(repoCommit, etag, size, location);
  }

  /**
   * Downloads {@code url} into {@code incomplete}, appending to what it already holds with a {@code
   * Range} request (a server that ignores Range starts it over). Returns normally when the body
   * ended; the caller checks the size and hash. {@code progress} gets byte counts as they arrive
   * (negative when a restart throws bytes away).
   *
   * @throws IOException when the connection fails or drops (the caller retries, resuming)
   */
  void download(HubId id, String file, URI url, Path incomplete, LongConsumer progress)
      throws IOException {
    long have = Files.exists(incomplete) ? Files.size(incomplete) : 0;
    HttpResponse<TimedBody> r =
        send(id, "GET", url, have > 0 ? "bytes=" + have + "-" : null, TimedBody.handler(), true);
    try (TimedBody body = r.body()) {
      int code = r.statusCode();
      boolean append;
      if (code == 206) {
        append = HubHeaders.contentRangeStart(r.headers()) == have;
        if (!append) {
          // a range we did not ask for: start over
          truncate(incomplete, progress, have);
          throw new IOException("unexpected Content-Range; restarting " + file);
        }
      } else if (code == 200) {
        append = false;
      } else if (code == 416) {
        // the partial file is as long as, or longer than, the file: start over
        truncate(incomplete, progress, have);
        throw new IOException("HTTP 416 for a resumed download; restarting " + file);
      } else {
        throw HubErrors.of(settings, id, file, code, r.headers(), false);
      }
      if (!append && have > 0) {
        progress.accept(-have);
      }
      try (FileChannel out =
          FileChannel.open(
              incomplete,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
        List<ByteBuffer> chunk;
        while ((chunk = body.next(readTimeout)) != null) {
          for (ByteBuffer b : chunk) {
            int n = b.remaining();
            while (b.hasRemaining()) {
              out.write(b);
            }
            progress.accept(n);
          }
        }
      }
    }
  }

  private static void truncate(Path file, LongConsumer progress, long had) throws IOException {
    Files.deleteIfExists(file);
    progress.accept(-had);
  }

  /**
   * Sends a request, following redirects by hand: always on the same host and port; to another host
   * only when {@code crossHost} (then without the Authorization header).
   */
  private <T> HttpResponse<T> send(
      HubId id,
      String method,
      URI url,
      String range,
      HttpResponse.BodyHandler<T> handler,
      boolean crossHost)
      throws IOException {
    URI current = url;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(current)
              .timeout(TIMEOUT)
              .header("User-Agent", userAgent)
              .method(method, HttpRequest.BodyPublishers.noBody());
      if (HubUrls.sameOrigin(current, settings.endpoint())) {
        settings.token().ifPresent(t -> b.header("Authorization", "Bearer " + t));
      }
      if (range != null) {
        b.header("Range", range);
      }
      HttpResponse<T> r;
      try {
        r = http.send(b.build(), handler);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while talking to " + HubUrls.origin(current));
      } catch (IOException e) {
        if (!crossHost) {
          throw new Unreachable(unreachable(id, current, e), e);
        }
        throw e; // a download: the caller retries and resumes
      }
      int code = r.statusCode();
      Optional<String> location = r.headers().firstValue("Location");
      if (code >= 300 && code < 400 && code != 304 && location.isPresent()) {
        URI next = redirectTarget(current, location.get(), id);
        if (!crossHost && !HubUrls.sameOrigin(next, current)) {
          return r;
        }
        if (r.body() instanceof AutoCloseable body) {
          try {
            body.close();
          } catch (Exception e) {
            // a redirect's body: nothing to lose
          }
        }
        current = next;
        continue;
      }
      return r;
    }
    throw new HubException(
        "More than "
            + MAX_REDIRECTS
            + " redirects for "
            + HubUrls.withoutQuery(url)
            + " ("
            + id
            + ")");
  }

  /**
   * Where a redirect from {@code from} to {@code location} leads: an http(s) URL with a host, else
   * a {@link HubException} (a Location that is no URL, or points at a file or another protocol).
   */
  private URI redirectTarget(URI from, String location, HubId id) {
    URI next;
    try {
      next = from.resolve(location.strip());
    } catch (IllegalArgumentException e) {
      next = null;
    }
    if (next == null
        || next.getHost() == null
        || !("https".equalsIgnoreCase(next.getScheme())
            || "http".equalsIgnoreCase(next.getScheme()))) {
      throw new HubException(
          "The Hub at "
              + settings.endpoint()
              + " redirected "
              + HubUrls.withoutQuery(from)
              + " ("
              + id
              + ") to '"
              + (location.length() > 200 ? location.substring(0, 200) + "..." : location)
              + "', which is not an http(s) URL; is HF_ENDPOINT a Hugging Face Hub?");
    }
    return next;
  }

  private String unreachable(HubId id, URI url, IOException e) {
    String cause = e.getMessage() == null ? e.getClass().getSimpleName() : e.toString();
    return "Cannot reach the Hugging Face Hub at "
        + HubUrls.origin(url)
        + " to resolve "
        + id
        + " ("
        + cause
        + "). Check the network connection and proxy (-Dhttps.proxyHost/-Dhttps.proxyPort in"
        + " MAVEN_OPTS), HF_ENDPOINT, or build offline from the Hugging Face cache ("
        + settings.cache()
        + ") with HF_HUB_OFFLINE=1 or mvn -o once it holds the model";
  }
}
