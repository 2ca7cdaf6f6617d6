package dev.edgellm.hub;

import dev.edgellm.util.UserErrorException;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The Hub client's handling of what a Hub (or a proxy, or a hostile server) answers, as one fuzz
 * target: the bytes are a script of HTTP answers, the {@link HubClient} asks for a revision, a
 * file's metadata and the file's bytes, and gets the next answer for each request it sends
 * (redirects included), from memory. Everything but the network is the real client: status codes,
 * {@code X-Repo-Commit}, {@code X-Linked-Etag}/{@code ETag}, {@code X-Linked-Size}/{@code
 * Content-Length}, {@code Location}, {@code Content-Range}, {@code X-Error-Code}, the revision's
 * JSON, the body handler.
 *
 * <p>The script: answers separated by an empty line; in each, the first line is the status code,
 * then {@code Name: value} header lines and {@code =text} body lines. Header values hold only what
 * the JDK's HTTP/1.1 client delivers (no control characters). A typed {@link UserErrorException} (a
 * {@link HubException}) or an {@link IOException} from a download (the resolver retries it) is the
 * client doing its job; anything else escaping, or an ETag that would put the cached file outside
 * the blobs folder, is a finding.
 */
public final class HubAnswers {
  private HubAnswers() {}

  private static final HubId ID = new HubId("org/model", "main");
  private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
  private static final URI ENDPOINT = URI.create("https://hub.example");

  /** A client of {@code https://hub.example} whose requests get the answers of {@code script}. */
  static HubClient client(String script, Path folder) {
    HubSettings settings = HubSettings.of(ENDPOINT, folder.resolve("hub"));
    return new HubClient(settings, Duration.ofSeconds(1), new Scripted(parse(script)));
  }

  /** Runs the client against the answers scripted in {@code data}, in {@code folder}. */
  public static void fuzz(byte[] data, Path folder) throws IOException {
    HubSettings settings = HubSettings.of(ENDPOINT, folder.resolve("hub"));
    HubClient client = client(new String(data, StandardCharsets.ISO_8859_1), folder);
    try {
      client.revision(ID);
    } catch (UserErrorException expected) {
      // refused with a message: fine
    }
    HubClient.FileMeta meta;
    try {
      meta = client.metadata(ID, COMMIT, "model.safetensors");
    } catch (UserErrorException expected) {
      return;
    }
    HubCache cache = new HubCache(settings.cache(), ID);
    Path blobs = cache.blob("x").getParent();
    if (!blobs.equals(cache.blob(meta.etag()).normalize().getParent())
        || !blobs.equals(cache.incomplete(meta.etag()).normalize().getParent())) {
      throw new IllegalStateException("ETag " + meta.etag() + " leaves the cache's blobs folder");
    }
    Path incomplete = folder.resolve("download.incomplete");
    try {
      client.download(ID, "model.safetensors", meta.location(), incomplete, n -> {});
    } catch (UserErrorException | IOException expected) {
      // refused, or a failed download the resolver retries
    } finally {
      Files.deleteIfExists(incomplete);
    }
  }

  private record Answer(int status, Map<String, List<String>> headers, byte[] body) {}

  private static Deque<Answer> parse(String text) {
    Deque<Answer> out = new ArrayDeque<>();
    for (String block : text.split("\n\n")) {
      String[] lines = block.split("\n");
      int status;
      try {
        status = lines.length == 0 ? 200 : Integer.parseInt(lines[0].strip());
      } catch (NumberFormatException e) {
        status = 200;
      }
      if (status < 100 || status > 599) {
        status = 200; // the JDK's client refuses other status lines
      }
      // one entry per name whatever its case, as the JDK's client delivers them
      Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      StringBuilder body = new StringBuilder();
      for (int i = 1; i < lines.length; i++) {
        String line = lines[i];
        int colon = line.indexOf(':');
        if (line.startsWith("=")) {
          body.append(line, 1, line.length()).append('\n');
        } else if (colon > 0 && token(line.substring(0, colon))) {
          String value = line.substring(colon + 1).strip();
          if (deliverable(value)) {
            headers.computeIfAbsent(line.substring(0, colon), k -> new ArrayList<>()).add(value);
          }
        }
      }
      out.add(new Answer(status, headers, body.toString().getBytes(StandardCharsets.ISO_8859_1)));
    }
    return out;
  }

  private static boolean token(String name) {
    return !name.isEmpty() && name.chars().allMatch(c -> c > 32 && c < 127 && c != ':');
  }

  private static boolean deliverable(String value) {
    return value.chars().allMatch(c -> c == '\t' || (c >= 32 && c != 127));
  }

  /** An HttpClient that answers each request with the next scripted answer (then 404s). */
  private static final class Scripted extends HttpClient {
    private final Deque<Answer> answers;

    Scripted(Deque<Answer> answers) {
      this.answers = answers;
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
        throws IOException {
      Answer a = answers.isEmpty() ? new Answer(404, Map.of(), new byte[0]) : answers.poll();
      HttpHeaders headers = HttpHeaders.of(a.headers(), (k, v) -> true);
      HttpResponse.ResponseInfo info =
          new HttpResponse.ResponseInfo() {
            @Override
            public int statusCode() {
              return a.status();
            }

            @Override
            public HttpHeaders headers() {
              return headers;
            }

            @Override
            public Version version() {
              return Version.HTTP_1_1;
            }
          };
      HttpResponse.BodySubscriber<T> subscriber = handler.apply(info);
      subscriber.onSubscribe(
          new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {}
          });
      if (!request.method().equals("HEAD") && a.body().length > 0) {
        subscriber.onNext(List.of(ByteBuffer.wrap(a.body())));
      }
      subscriber.onComplete();
      T body;
      try {
        body = subscriber.getBody().toCompletableFuture().get();
      } catch (Exception e) {
        throw new IOException("the body handler failed", e);
      }
      return new Response<>(request, info, body);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(
        HttpRequest request, HttpResponse.BodyHandler<T> handler) {
      throw new UnsupportedOperationException();
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(
        HttpRequest request,
        HttpResponse.BodyHandler<T> handler,
        HttpResponse.PushPromiseHandler<T> push) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
      return Optional.empty();
    }

    @Override
    public Optional<Duration> connectTimeout() {
      return Optional.empty();
    }

    @Override
    public Redirect followRedirects() {
      return Redirect.NEVER;
    }

    @Override
    public Optional<ProxySelector> proxy() {
      return Optional.empty();
    }

    @Override
    public SSLContext sslContext() {
      return null;
    }

    @Override
    public SSLParameters sslParameters() {
      return null;
    }

    @Override
    public Optional<Authenticator> authenticator() {
      return Optional.empty();
    }

    @Override
    public Version version() {
      return Version.HTTP_1_1;
    }

    @Override
    public Optional<Executor> executor() {
      return Optional.empty();
    }
  }

  private record Response<T>(HttpRequest request, HttpResponse.ResponseInfo info, T body)
      implements HttpResponse<T> {
    @Override
    public int statusCode() {
      return info.statusCode();
    }

    @Override
    public Optional<HttpResponse<T>> previousResponse() {
      return Optional.empty();
    }

    @Override
    public HttpHeaders headers() {
      return info.headers();
    }

    @Override
    public Optional<javax.net.ssl.SSLSession> sslSession() {
      return Optional.empty();
    }

    @Override
    public URI uri() {
      return request.uri();
    }

    @Override
    public HttpClient.Version version() {
      return info.version();
    }
  }

  /** Seeds: what a Hub answers for a small LFS file, a redirect to a CDN, a resume, errors. */
  public static List<String> seeds() {
    String etag = "a".repeat(64);
    String revision =
        "200\n="
            + "{\"sha\": \""
            + COMMIT
            + "\", \"siblings\": [{\"rfilename\": \"config.json\"}]}";
    return List.of(
        revision
            + "\n\n200\nX-Repo-Commit: "
            + COMMIT
            + "\nX-Linked-Etag: \""
            + etag
            + "\"\nX-Linked-Size: 4\n\n200\nContent-Length: 4\n=abc",
        revision
            + "\n\n302\nX-Repo-Commit: "
            + COMMIT
            + "\nX-Linked-Etag: \""
            + etag
            + "\"\nX-Linked-Size: 10\nLocation: https://cdn.example/blob?sig=x"
            + "\n\n307\nLocation: /other/path\n\n206\nContent-Range: bytes 0-3/4\n=abc",
        "401\nX-Error-Code: RepoNotFound\n\n404\nX-Error-Code: EntryNotFound"
            + "\n\n403\nX-Error-Code: GatedRepo\nX-Error-Message: gated",
        revision
            + "\n\n301\nLocation: https://hub.example/org/renamed/resolve/main/model.safetensors"
            + "\n\n200\nETag: W/\"abc\"\nContent-Length: 12\n\n416\n\n500");
  }
}
