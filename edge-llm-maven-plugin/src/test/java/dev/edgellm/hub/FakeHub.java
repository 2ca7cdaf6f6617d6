package dev.edgellm.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.edgellm.util.Json;
import dev.edgellm.util.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A Hugging Face Hub on 127.0.0.1 for tests, answering as the real one does: the revision API,
 * {@code resolve} URLs with {@code X-Repo-Commit}, {@code ETag} (git SHA-1) for small files and a
 * 302 to a CDN on another port with {@code X-Linked-Etag} (SHA-256) and {@code X-Linked-Size} for
 * LFS files ({@code *.safetensors}), {@code Range} on the CDN, {@code X-Error-Code} on errors (401
 * RepoNotFound, 403 GatedRepo, 404 RepoNotFound/RevisionNotFound/EntryNotFound), a relative 307 for
 * a renamed repository. Faults to inject: a dropped connection mid-file, corrupted bytes.
 */
final class FakeHub implements AutoCloseable {
  /** A request as the server saw it. */
  record Request(String server, String method, String path, String range, String authorization) {}

  final HttpServer hub;
  final HttpServer cdn;
  final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

  /** repo → revision → commit. */
  final Map<String, Map<String, String>> refs = new TreeMap<>();

  /** commit → file → bytes. */
  final Map<String, Map<String, byte[]>> commits = new TreeMap<>();

  /** old repo name → new one (relative redirects). */
  final Map<String, String> renamed = new TreeMap<>();

  /** A token every request must carry, or null for a public Hub. */
  volatile String requiredToken;

  /** Repositories answering 403 GatedRepo. */
  final Set<String> gated = new HashSet<>();

  /** Files the API lists but resolve answers 404 EntryNotFound for. */
  final Set<String> unservable = new HashSet<>();

  /** The next CDN GET of this file sends only this many bytes of what it promised, then drops. */
  volatile String dropFile;

  volatile long dropAfter;

  /** The next CDN GET of this file sends this many bytes, then stalls for 4 s before dropping. */
  volatile String stallFile;

  volatile long stallAfter;

  /** Every CDN GET serves the file with one byte flipped. */
  volatile boolean corrupt;

  FakeHub() throws IOException {
    InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    hub = HttpServer.create(any, 0);
    cdn = HttpServer.create(any, 0);
    hub.createContext("/", this::hub);
    cdn.createContext("/", this::cdn);
    hub.start();
    cdn.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
  }

  /** Adds {@code files} as commit {@code commit} of {@code repo} and points {@code main} at it. */
  FakeHub repo(String repo, String commit, Map<String, byte[]> files, String... moreRefs) {
    commits.put(commit, new LinkedHashMap<>(files));
    Map<String, String> r = refs.computeIfAbsent(repo, k -> new TreeMap<>());
    r.put("main", commit);
    for (String ref : moreRefs) {
      r.put(ref, commit);
    }
    return this;
  }

  List<Request> requests(String server) {
    synchronized (requests) {
      return requests.stream().filter(r -> r.server.equals(server)).toList();
    }
  }

  static boolean isLfs(String file) {
    return file.endsWith(".safetensors");
  }

  static String sha256(byte[] data) {
    return Sha256.hex(Sha256.newDigest().digest(data));
  }

  static String gitSha1(byte[] data) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-1");
      d.update(("blob " + data.length + "\0").getBytes(StandardCharsets.US_ASCII));
      return Sha256.hex(d.digest(data));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void record(String server, HttpExchange ex) {
    requests.add(
        new Request(
            server,
            ex.getRequestMethod(),
            ex.getRequestURI().getRawPath(),
            ex.getRequestHeaders().getFirst("Range"),
            ex.getRequestHeaders().getFirst("Authorization")));
  }

  private void hub(HttpExchange ex) throws IOException {
    try (ex) {
      record("hub", ex);
      String path = ex.getRequestURI().getRawPath();
      boolean api = path.startsWith("/api/models/");
      String rest = api ? path.substring("/api/models/".length()) : path.substring(1);
      String[] parts = rest.split("/", 4);
      if (parts.length < 4 || !parts[2].equals(api ? "revision" : "resolve")) {
        error(ex, 404, null);
        return;
      }
      String repo = parts[0] + "/" + parts[1];
      if (renamed.containsKey(repo)) {
        String target =
            "/" + (api ? "api/models/" : "") + renamed.get(repo) + "/" + parts[2] + "/" + parts[3];
        ex.getResponseHeaders().set("Location", target);
        ex.sendResponseHeaders(307, -1);
        return;
      }
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      boolean authorized = requiredToken == null || ("Bearer " + requiredToken).equals(auth);
      if (!refs.containsKey(repo) || !authorized) {
        // the Hub hides private repositories: 401 without a (valid) token, 404 with one
        error(ex, auth == null || !authorized ? 401 : 404, "RepoNotFound");
        return;
      }
      if (gated.contains(repo)) {
        error(ex, 403, "GatedRepo");
        return;
      }
      String[] revAndFile = api ? new String[] {parts[3]} : parts[3].split("/", 2);
      String revision = URLDecoder.decode(revAndFile[0], StandardCharsets.UTF_8);
      String commit =
          refs.get(repo).containsKey(revision)
              ? refs.get(repo).get(revision)
              : commits.containsKey(revision) ? revision : null;
      if (commit == null) {
        error(ex, 404, "RevisionNotFound");
        return;
      }
      Map<String, byte[]> files = commits.get(commit);
      ex.getResponseHeaders().set("X-Repo-Commit", commit);
      if (api) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", repo);
        body.put("sha", commit);
        body.put("siblings", files.keySet().stream().map(f -> Map.of("rfilename", f)).toList());
        send(ex, 200, Json.pretty(body).getBytes(StandardCharsets.UTF_8));
        return;
      }
      String file = URLDecoder.decode(revAndFile[1], StandardCharsets.UTF_8);
      byte[] data = files.get(file);
      if (data == null || unservable.contains(file)) {
        error(ex, 404, "EntryNotFound");
        return;
      }
      if (isLfs(file)) {
        String sha = sha256(data);
        ex.getResponseHeaders().set("ETag", "\"lfs-pointer-" + gitSha1(data) + "\"");
        ex.getResponseHeaders().set("X-Linked-Etag", "\"" + sha + "\"");
        ex.getResponseHeaders().set("X-Linked-Size", Long.toString(data.length));
        ex.getResponseHeaders()
            .set(
                "Location",
                "http://127.0.0.1:"
                    + cdn.getAddress().getPort()
                    + "/blobs/"
                    + sha
                    + "?X-Signature=secret");
        ex.sendResponseHeaders(302, -1);
        return;
      }
      ex.getResponseHeaders().set("ETag", "\"" + gitSha1(data) + "\"");
      if (ex.getRequestMethod().equals("HEAD")) {
        ex.getResponseHeaders().set("Content-Length", Long.toString(data.length));
        ex.sendResponseHeaders(200, -1);
        return;
      }
      send(ex, 200, data);
    }
  }

  private void cdn(HttpExchange ex) throws IOException {
    try (ex) {
      record("cdn", ex);
      String sha = ex.getRequestURI().getRawPath().substring("/blobs/".length());
      byte[] data = null;
      String file = null;
      for (Map<String, byte[]> files : commits.values()) {
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
          if (sha256(e.getValue()).equals(sha)) {
            data = e.getValue();
            file = e.getKey();
          }
        }
      }
      if (data == null) {
        send(ex, 404, new byte[0]);
        return;
      }
      if (corrupt) {
        data = data.clone();
        data[data.length / 2] ^= 0x40;
      }
      int from = 0;
      String range = ex.getRequestHeaders().getFirst("Range");
      if (range != null) {
        from = Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
        if (from >= data.length) {
          ex.sendResponseHeaders(416, -1);
          return;
        }
        ex.getResponseHeaders()
            .set(
                "Content-Range",
                String.format(Locale.ROOT, "bytes %d-%d/%d", from, data.length - 1, data.length));
      }
      int length = data.length - from;
      ex.sendResponseHeaders(range != null ? 206 : 200, length);
      OutputStream out = ex.getResponseBody();
      if (file.equals(stallFile)) {
        stallFile = null;
        out.write(data, from, (int) Math.min(stallAfter, length));
        out.flush();
        try {
          Thread.sleep(4000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new IOException("stalled on purpose");
      }
      if (file.equals(dropFile)) {
        dropFile = null;
        out.write(data, from, (int) Math.min(dropAfter, length));
        out.flush();
        // a handler that throws makes the server close the connection, short of Content-Length
        throw new IOException("connection dropped on purpose");
      }
      out.write(data, from, length);
    }
  }

  private static void error(HttpExchange ex, int status, String code) throws IOException {
    if (code != null) {
      ex.getResponseHeaders().set("X-Error-Code", code);
      ex.getResponseHeaders().set("X-Error-Message", code + " (fake hub)");
    }
    send(ex, status, ("{\"error\":\"" + code + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    ex.getResponseBody().write(body);
  }

  @Override
  public void close() {
    hub.stop(0);
    cdn.stop(0);
  }
}
