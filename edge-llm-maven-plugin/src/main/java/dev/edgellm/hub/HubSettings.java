package dev.edgellm.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where the Hub is, where its cache lives, the token and whether to stay offline, read the way
 * huggingface_hub reads them so both share one cache and one login:
 *
 * <ul>
 *   <li>cache: {@code HF_HUB_CACHE}, else {@code HUGGINGFACE_HUB_CACHE}, else {@code $HF_HOME/hub};
 *       {@code HF_HOME} defaults to {@code $XDG_CACHE_HOME/huggingface}, else {@code
 *       ~/.cache/huggingface};
 *   <li>endpoint: {@code HF_ENDPOINT}, else {@code https://huggingface.co};
 *   <li>token: {@code HF_TOKEN}, else {@code HUGGING_FACE_HUB_TOKEN}, else the file {@code
 *       HF_TOKEN_PATH}, else {@code $HF_HOME/token} (what {@code hf auth login} writes);
 *   <li>offline: {@code HF_HUB_OFFLINE} set to {@code 1}, {@code ON}, {@code YES} or {@code TRUE}.
 * </ul>
 *
 * <p>The token is kept out of {@link #toString()}; nothing in this package logs or prints it.
 */
public final class HubSettings {
  /** The public Hub. */
  public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

  private static final Set<String> TRUE = Set.of("1", "ON", "YES", "TRUE");

  private final URI endpoint;
  private final Path cache;
  private final String token;
  private final String offlineReason;

  private HubSettings(URI endpoint, Path cache, String token, String offlineReason) {
    this.endpoint = endpoint;
    this.cache = cache;
    this.token = token == null || token.isBlank() ? null : token.strip();
    this.offlineReason = offlineReason;
  }

  /** Settings for an endpoint and a cache folder, online, without a token. */
  public static HubSettings of(URI endpoint, Path cache) {
    return new HubSettings(normalize(endpoint), cache, null, null);
  }

  /** The settings the environment gives, as huggingface_hub reads them. */
  public static HubSettings fromEnvironment() {
    return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /** The settings {@code env} gives; {@code userHome} stands for {@code ~}. */
  public static HubSettings fromEnvironment(Map<String, String> env, Path userHome) {
    Path hfHome =
        get(env, "HF_HOME")
            .map(p -> expand(p, userHome))
            .orElseGet(
                () ->
                    get(env, "XDG_CACHE_HOME")
                        .map(p -> expand(p, userHome))
                        .orElse(userHome.resolve(".cache"))
                        .resolve("huggingface"));
    Path cache =
        get(env, "HF_HUB_CACHE")
            .or(() -> get(env, "HUGGINGFACE_HUB_CACHE"))
            .map(p -> expand(p, userHome))
            .orElse(hfHome.resolve("hub"));
    URI endpoint = get(env, "HF_ENDPOINT").map(URI::create).orElse(DEFAULT_ENDPOINT);
    String token =
        get(env, "HF_TOKEN")
            .or(() -> get(env, "HUGGING_FACE_HUB_TOKEN"))
            .or(
                () ->
                    readToken(
                        get(env, "HF_TOKEN_PATH")
                            .map(p -> expand(p, userHome))
                            .orElse(hfHome.resolve("token"))))
            .orElse(null);
    boolean offline =
        get(env, "HF_HUB_OFFLINE")
            .map(v -> TRUE.contains(v.toUpperCase(Locale.ROOT)))
            .orElse(false);
    return new HubSettings(normalize(endpoint), cache, token, offline ? "HF_HUB_OFFLINE=1" : null);
  }

  /** The same settings with another endpoint (e.g. {@code edgellm.hub.endpoint}). */
  public HubSettings withEndpoint(URI endpoint) {
    return new HubSettings(normalize(endpoint), cache, token, offlineReason);
  }

  /** The same settings with another token (e.g. {@code edgellm.hub.token}). */
  public HubSettings withToken(String token) {
    return new HubSettings(endpoint, cache, token, offlineReason);
  }

  /** The same settings with another cache folder. */
  public HubSettings withCache(Path cache) {
    return new HubSettings(endpoint, cache, token, offlineReason);
  }

  /**
   * The same settings, offline: only the cache is used. {@code reason} says why in errors, e.g.
   * {@code "Maven runs offline (-o)"}; it stays the first reason when already offline.
   */
  public HubSettings offline(String reason) {
    return new HubSettings(endpoint, cache, token, offlineReason != null ? offlineReason : reason);
  }

  /** The Hub's base URL, without a trailing slash. */
  public URI endpoint() {
    return endpoint;
  }

  /** The cache root ({@code .../huggingface/hub}), which holds {@code models--org--name}. */
  public Path cache() {
    return cache;
  }

  /** Whether only the cache may be used. */
  public boolean isOffline() {
    return offlineReason != null;
  }

  /** Why the build is offline ({@code HF_HUB_OFFLINE=1}, Maven's {@code -o}), or null. */
  public String offlineReason() {
    return offlineReason;
  }

  /** Whether a token is set. */
  public boolean hasToken() {
    return token != null;
  }

  /** The token, for the Authorization header only. */
  Optional<String> token() {
    return Optional.ofNullable(token);
  }

  @Override
  public String toString() {
    return "HubSettings[endpoint="
        + endpoint
        + ", cache="
        + cache
        + ", token="
        + (token == null ? "none" : "set")
        + ", offline="
        + (offlineReason == null ? "no" : offlineReason)
        + "]";
  }

  private static Optional<String> get(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
  }

  private static Path expand(String path, Path userHome) {
    if (path.equals("~")) {
      return userHome;
    }
    if (path.startsWith("~/")) {
      return userHome.resolve(path.substring(2));
    }
    return Path.of(path);
  }

  private static Optional<String> readToken(Path file) {
    try {
      return Files.isRegularFile(file)
          ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip())
              .filter(t -> !t.isEmpty())
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static URI normalize(URI endpoint) {
    String s = endpoint.toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return URI.create(s);
  }
}
