package dev.edgellm.util;

import dev.edgellm.stage.Layout;
import dev.edgellm.stage.StageRequest;
import dev.edgellm.stage.Stager;
import dev.edgellm.testing.BigStack;
import dev.edgellm.testing.Fixtures;
import dev.edgellm.testing.TinyDecoder;
import dev.edgellm.validate.ValidationRequest;
import dev.edgellm.validate.Validator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * Not a test: {@link DiskFullTest}'s child JVM, run with {@code DISK} a small tmpfs mounted in its
 * own mount namespace. {@code stage DISK WORK}: stages tiny-llama into {@code
 * DISK/public/models/tiny-llama}, fills the disk, stages another model there. {@code report DISK
 * WORK}: stages into {@code WORK}, fills the disk, validates with the report in {@code
 * DISK/report}. Prints {@code ERROR <class>: <message>} and the files on the disk ({@code FILE
 * <path> <sha-256>}, the filler left out) before and after.
 */
public final class DiskFullRun {
  private DiskFullRun() {}

  public static void main(String[] args) throws Exception {
    BigStack.run(() -> run(args));
  }

  private static void run(String[] args) throws Exception {
    String mode = args[0];
    Path disk = Path.of(args[1]);
    Path work = Path.of(args[2]);
    Path checkpoint = Fixtures.tinyLlamaCheckpoint(work.resolve("checkpoint/tiny-llama"));
    Path model = TinyDecoder.with(d -> d.seed = 7).write(work.resolve("build/model.onnx"));
    Path other = TinyDecoder.with(d -> d.seed = 8).write(work.resolve("build2/model.onnx"));
    if (mode.equals("stage")) {
      Path target = disk.resolve("public/models/tiny-llama");
      new Stager(Reporter.silent())
          .stage(new StageRequest(checkpoint, model, target, Layout.LOCAL));
      list("BEFORE", disk);
      fill(disk, 64 * 1024);
      try {
        new Stager(Reporter.silent())
            .stage(new StageRequest(checkpoint, other, target, Layout.LOCAL));
        System.out.println("NO ERROR");
      } catch (RuntimeException | IOException e) {
        System.out.println("ERROR " + e.getClass().getName() + ": " + e.getMessage());
      }
    } else {
      Path staged = work.resolve("public/models/tiny-llama");
      new Stager(Reporter.silent())
          .stage(new StageRequest(checkpoint, model, staged, Layout.LOCAL));
      Path report = Files.createDirectories(disk.resolve("report"));
      list("BEFORE", disk);
      fill(disk, 4096);
      try {
        new Validator(Reporter.silent())
            .validate(ValidationRequest.of(staged).withReportDirectory(report));
        System.out.println("NO ERROR");
      } catch (RuntimeException | IOException e) {
        System.out.println("ERROR " + e.getClass().getName() + ": " + e.getMessage());
      }
    }
    list("AFTER", disk);
  }

  /** Fills {@code disk} with the file {@code filler}, then frees {@code leave} bytes of it. */
  private static void fill(Path disk, long leave) throws IOException {
    Path filler = disk.resolve("filler");
    byte[] block = new byte[4096];
    long written = 0;
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
        written += block.length;
      }
    } catch (IOException full) {
      // the disk is full
    }
    try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.WRITE)) {
      ch.truncate(Math.max(0, Math.min(written, Files.size(filler)) - leave));
    }
  }

  private static void list(String when, Path disk) throws IOException {
    System.out.println(when);
    try (Stream<Path> all = Files.walk(disk)) {
      for (Path p : all.sorted().toList()) {
        if (Files.isRegularFile(p) && !p.getFileName().toString().equals("filler")) {
          byte[] d =
              java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
          System.out.println("FILE " + disk.relativize(p) + " " + HexFormat.of().formatHex(d));
        } else if (Files.isDirectory(p) && !p.equals(disk)) {
          System.out.println("DIR " + disk.relativize(p));
        }
      }
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
