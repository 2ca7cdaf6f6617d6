package dev.edgellm.export;

import dev.edgellm.util.Reporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not a test: prints the SHA-256 of every export of the fixtures, to compare a refactoring's output
 * with main's byte for byte. Run with {@code -Dtest=ExportDigests -Dedgellm.digests=FILE}.
 */
class ExportDigests {
  @TempDir Path tmp;

  @Test
  void print() throws Exception {
    StringBuilder out = new StringBuilder();
    for (String name :
        List.of(
            "tiny-gemma3", "tiny-llama", "tiny-qwen3", "tinystories-656k", "tiny-functiongemma")) {
      Path dir = GoldenExportTest.modelDir(name);
      int i = 0;
      for (Precision p : Precision.values()) {
        for (Embeddings e : Embeddings.values()) {
          if (p == Precision.FP32 && e == Embeddings.SHARED) {
            continue;
          }
          Path m =
              new Exporter(Reporter.silent())
                  .export(new ExportRequest(dir, tmp.resolve(name + i++), p, e))
                  .model();
          byte[] d = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(m));
          out.append(name + " " + p + " " + e + " " + HexFormat.of().formatHex(d) + "\n");
        }
      }
    }
    System.out.print(out);
    Files.writeString(Path.of(System.getProperty("edgellm.digests", "target/digests.txt")), out);
  }
}
