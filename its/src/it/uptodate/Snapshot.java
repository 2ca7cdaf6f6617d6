import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Records the state of files between the IT's Maven invocations (run by exec-maven-plugin at the start
 * and at the end of each invocation):
 * {@code java Snapshot.java OUT.txt ROOT PATH...} writes "time MILLIS" and, for every regular file
 * under each PATH, "file RELATIVE_PATH SIZE MTIME_MILLIS SHA256".
 */
public class Snapshot {
  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    Path root = Path.of(args[1]);
    List<String> lines = new ArrayList<>();
    lines.add("time " + System.currentTimeMillis());
    for (int i = 2; i < args.length; i++) {
      Path p = root.resolve(args[i]);
      if (!Files.exists(p)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(p)) {
        for (Path f : walk.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList()) {
          lines.add("file " + root.relativize(f).toString().replace('\\', '/') + " " + Files.size(f) + " "
              + Files.getLastModifiedTime(f).toMillis() + " " + sha256(f));
        }
      }
    }
    Files.createDirectories(out.getParent());
    Files.write(out, lines);
    System.out.println("edge-llm-it snapshot " + out.getFileName() + " (" + (lines.size() - 1) + " files)");
  }

  static String sha256(Path f) throws IOException, java.security.NoSuchAlgorithmException {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(f)) {
      byte[] buf = new byte[1 << 20];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
