package dev.edgellm.hub;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/** URL helpers of {@link HubClient}: origins, message-safe URLs and path encoding. */
final class HubUrls {
  private HubUrls() {}

  static boolean sameOrigin(URI a, URI b) {
    return Objects.equals(lower(a.getScheme()), lower(b.getScheme()))
        && Objects.equals(lower(a.getHost()), lower(b.getHost()))
        && port(a) == port(b);
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  private static int port(URI u) {
    if (u.getPort() >= 0) {
      return u.getPort();
    }
    return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  static String origin(URI u) {
    return u.getScheme() + "://" + u.getRawAuthority();
  }

  /** A URL for messages: signed CDN URLs carry credentials in their query, so it is cut off. */
  static String withoutQuery(URI u) {
    return u.getScheme() + "://" + u.getRawAuthority() + u.getRawPath();
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
