package dev.edgellm.hub;

import java.net.http.HttpHeaders;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Header parsing of {@link HubClient}: ETag, sizes and Content-Range. */
final class HubHeaders {
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-\\d+/(\\d+|\\*)");

  private HubHeaders() {}

  /** {@code W/"abc"} → {@code abc}, as huggingface_hub normalizes etags. */
  static String normalizeEtag(String etag) {
    String e = etag.strip();
    if (e.startsWith("W/")) {
      e = e.substring(2);
    }
    if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
      e = e.substring(1, e.length() - 1);
    }
    return e;
  }

  static long parseLong(String s) {
    try {
      return Long.parseLong(s.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The first byte of a {@code Content-Range} answer, or -1 when it is missing or malformed. */
  static long contentRangeStart(HttpHeaders headers) {
    Matcher m = CONTENT_RANGE.matcher(headers.firstValue("Content-Range").orElse(""));
    return m.matches() ? parseLong(m.group(1)) : -1;
  }
}
