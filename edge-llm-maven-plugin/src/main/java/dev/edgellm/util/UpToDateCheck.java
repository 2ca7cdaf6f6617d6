package dev.edgellm.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Incremental-build support: a stage's outputs are up to date when a fingerprint of its inputs
 * (every input file's path, size and modification time, plus every setting and the tool version)
 * equals the one recorded when the outputs were last written.
 *
 * <p>The fingerprint is stored beside the outputs in a small text file ({@code .edge-llm-<stage>.fingerprint}).
 * It is written only after the outputs were completely written, so an interrupted build never looks
 * up to date.
 */
public final class UpToDateCheck {
  private final Path fingerprintFile;
  private final String fingerprint;

  private UpToDateCheck(Path fingerprintFile, String fingerprint) {
    this.fingerprintFile = fingerprintFile;
    this.fingerprint = fingerprint;
  }

  /**
   * Builds the check for one stage.
   *
   * @param outputDirectory folder holding the stage's outputs; the fingerprint file lives there
   * @param stage short stage name, e.g. {@code export} or {@code quantize}
   * @param inputs files or folders read by the stage (folders are walked, sorted)
   * @param settings every setting that changes the output, by name
   */
  public static UpToDateCheck of(
      Path outputDirectory, String stage, List<Path> inputs, Map<String, String> settings) {
    StringBuilder text = new StringBuilder();
    text.append("tool=").append(version()).append('\n');
    for (Map.Entry<String, String> e : new TreeMap<>(settings).entrySet()) {
      text.append("setting ").append(e.getKey()).append('=').append(e.getValue()).append('\n');
    }
    for (Path input : inputs) {
      for (Path file : files(input)) {
        try {
          BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
          text.append("input ")
              .append(file.toAbsolutePath().normalize())
              .append(' ')
              .append(a.size())
              .append(' ')
              .append(a.lastModifiedTime().toMillis())
              .append('\n');
        } catch (IOException ex) {
          text.append("input ").append(file).append(" missing\n");
        }
      }
    }
    return new UpToDateCheck(
        outputDirectory.resolve(".edge-llm-" + stage + ".fingerprint"), sha256(text.toString()));
  }

  /** True when every output exists and the recorded fingerprint equals the current one. */
  public boolean isUpToDate(List<Path> outputs) {
    for (Path out : outputs) {
      if (!Files.exists(out)) {
        return false;
      }
    }
    try {
      return Files.isRegularFile(fingerprintFile)
          && Files.readString(fingerprintFile, StandardCharsets.UTF_8).trim().equals(fingerprint);
    } catch (IOException e) {
      return false;
    }
  }

  /** Records the fingerprint; call after the outputs were written successfully. */
  public void markUpToDate() {
    try {
      Files.createDirectories(fingerprintFile.getParent());
      Path tmp = fingerprintFile.resolveSibling(fingerprintFile.getFileName() + ".tmp");
      Files.writeString(tmp, fingerprint + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, fingerprintFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + fingerprintFile, e);
    }
  }

  /** Forgets the fingerprint (before rewriting outputs). */
  public void invalidate() {
    try {
      Files.deleteIfExists(fingerprintFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + fingerprintFile, e);
    }
  }

  public String fingerprint() {
    return fingerprint;
  }

  private static List<Path> files(Path input) {
    if (!Files.isDirectory(input)) {
      return List.of(input);
    }
    try (Stream<Path> walk = Files.walk(input)) {
      List<Path> list = new ArrayList<>(walk.filter(Files::isRegularFile).sorted().toList());
      return list;
    } catch (IOException e) {
      return List.of(input);
    }
  }

  private static String version() {
    String v = UpToDateCheck.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private static String sha256(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
