package dev.edgellm.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What fuzzing the Hub client's header handling found ({@link HubAnswers}): each was an untyped
 * exception (NoSuchElementException, IllegalArgumentException, NumberFormatException) and is now a
 * {@link HubException} naming the answer, or a restarted download.
 */
class HubAnswersTest {
  @TempDir Path tmp;

  private static final HubId ID = new HubId("org/model", "main");
  private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
  private static final String FILE_HEADERS = "X-Linked-Etag: \"" + "a".repeat(64) + "\"\n";

  @Test
  void aRedirectWithoutLocationIsAHubError() {
    HubClient client = HubAnswers.client("302\n" + FILE_HEADERS, tmp);
    assertThatThrownBy(() -> client.metadata(ID, COMMIT, "model.safetensors"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("HTTP 302 without a Location for model.safetensors of org/model");
  }

  @Test
  void aLocationThatIsNoHttpUrlIsAHubError() {
    for (String location :
        new String[] {
          "https://hub.ex{\"a", "\\E] https://x", "ftp://cdn.example/blob", "file:/etc"
        }) {
      // on the endpoint's host (followed by send) and to another host (returned by metadata)
      for (String code : new String[] {"302", "307"}) {
        HubClient client =
            HubAnswers.client(code + "\n" + FILE_HEADERS + "Location: " + location, tmp);
        assertThatThrownBy(() -> client.metadata(ID, COMMIT, "model.safetensors"))
            .as(location)
            .isInstanceOf(HubException.class)
            .hasMessageContaining("which is not an http(s) URL");
      }
    }
  }

  @Test
  void aContentRangeBeyondLongRestartsTheDownload() throws IOException {
    Path incomplete = tmp.resolve("blob.incomplete");
    Files.write(incomplete, new byte[4]);
    HubClient client =
        HubAnswers.client("206\nContent-Range: bytes " + "9".repeat(30) + "-5/6", tmp);
    URI url = URI.create("https://hub.example/org/model/resolve/main/model.safetensors");
    assertThatThrownBy(() -> client.download(ID, "model.safetensors", url, incomplete, n -> {}))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("unexpected Content-Range");
    assertThat(incomplete).doesNotExist();
  }
}
