package dev.edgellm.maven;

import dev.edgellm.demo.DemoCheckpoint;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.Log;

/**
 * The {@code edgellm.checkpoint} setting shared by export and stage. In a project without it, the
 * goals fall back to the demo checkpoint (a tiny Gemma 3 with random weights), generated into
 * {@code target/edge-llm/demo-checkpoint} and announced loudly, so a freshly generated app builds
 * out of the box. Without a pom the setting is required.
 */
final class CheckpointParameter {
  private CheckpointParameter() {}

  /** Export's checkpoint: the demo is (re)generated and announced with the banner. */
  static Path forExport(File checkpoint, File pomFile, File buildDirectory, Log log)
      throws MojoFailureException, MojoExecutionException {
    return resolve(checkpoint, pomFile, buildDirectory, log, false);
  }

  /**
   * Stage's checkpoint: a demo that export already generated in this build is used as it is, with
   * one line in the log instead of the banner.
   */
  static Path forStage(File checkpoint, File pomFile, File buildDirectory, Log log)
      throws MojoFailureException, MojoExecutionException {
    return resolve(checkpoint, pomFile, buildDirectory, log, true);
  }

  private static Path resolve(
      File checkpoint, File pomFile, File buildDirectory, Log log, boolean reuseDemo)
      throws MojoFailureException, MojoExecutionException {
    if (checkpoint != null && !checkpoint.getPath().isBlank()) {
      return checkpoint.toPath();
    }
    if (pomFile == null || buildDirectory == null) {
      throw new MojoFailureException(
          "No checkpoint given: set -D"
              + Properties.CHECKPOINT
              + "=DIR, a Hugging Face checkpoint folder with config.json, model.safetensors and the tokenizer files");
    }
    Path dir = buildDirectory.toPath().resolve(DemoCheckpoint.BUILD_SUBDIRECTORY);
    if (reuseDemo && DemoCheckpoint.isDemo(dir)) {
      // export already printed the banner in this build; one line is enough here.
      log.warn(
          "stage: no edgellm.checkpoint set; staging the DEMO model (random weights) from " + dir);
      return dir;
    }
    try {
      DemoCheckpoint.write(dir);
    } catch (IOException e) {
      throw new MojoExecutionException(
          "Cannot write the demo checkpoint to " + dir + ": " + e.getMessage(), e);
    }
    DemoCheckpoint.warning(dir).forEach(log::warn);
    return dir;
  }
}
