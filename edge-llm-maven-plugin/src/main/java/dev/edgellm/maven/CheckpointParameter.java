package dev.edgellm.maven;

import dev.edgellm.demo.DemoCheckpoint;
import dev.edgellm.hub.FileSelection;
import dev.edgellm.hub.HubResolver;
import dev.edgellm.hub.HubSettings;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.Log;

/**
 * The {@code edgellm.checkpoint} setting shared by export and stage: a folder, or a Hugging Face
 * Hub id resolved through {@link HubResolver} into the Hugging Face cache (a path that exists wins
 * over an id of the same form). In a project without it, the goals fall back to the demo checkpoint
 * (a tiny Gemma 3 with random weights), generated into {@code target/edge-llm/demo-checkpoint} and
 * announced loudly, so a freshly generated app builds out of the box. Without a pom the setting is
 * required.
 */
final class CheckpointParameter {
  private CheckpointParameter() {}

  /**
   * The Hub resolver for this build: the environment as huggingface_hub reads it ({@code HF_*}),
   * {@code edgellm.hub.endpoint} and {@code edgellm.hub.token} over it, offline under Maven's
   * {@code -o}.
   */
  static HubResolver hub(String token, String endpoint, boolean mavenOffline, Log log)
      throws MojoFailureException {
    HubSettings settings = HubSettings.fromEnvironment();
    if (endpoint != null && !endpoint.isBlank()) {
      URI uri;
      try {
        uri = URI.create(endpoint.strip());
      } catch (IllegalArgumentException e) {
        uri = null;
      }
      if (uri == null || uri.getScheme() == null || uri.getHost() == null) {
        throw new MojoFailureException(
            Properties.HUB_ENDPOINT
                + " '"
                + endpoint
                + "' is not a URL; use e.g. https://huggingface.co or remove it");
      }
      settings = settings.withEndpoint(uri);
    }
    if (token != null && !token.isBlank()) {
      settings = settings.withToken(token);
    }
    if (mavenOffline) {
      settings = settings.offline("Maven runs offline (-o)");
    }
    return new HubResolver(settings, new MavenReporter(log));
  }

  /**
   * Export's checkpoint, with the weights: the demo is (re)generated and announced with the banner.
   */
  static HubResolver.Resolved forExport(
      String checkpoint, HubResolver hub, File basedir, File pomFile, File buildDirectory, Log log)
      throws MojoFailureException, MojoExecutionException {
    return resolve(
        checkpoint, hub, basedir, pomFile, buildDirectory, log, false, FileSelection.CHECKPOINT);
  }

  /**
   * Stage's checkpoint, config and tokenizer files only: a demo that export already generated in
   * this build is used as it is, with one line in the log instead of the banner.
   */
  static HubResolver.Resolved forStage(
      String checkpoint, HubResolver hub, File basedir, File pomFile, File buildDirectory, Log log)
      throws MojoFailureException, MojoExecutionException {
    return resolve(
        checkpoint,
        hub,
        basedir,
        pomFile,
        buildDirectory,
        log,
        true,
        FileSelection.CONFIG_AND_TOKENIZER);
  }

  private static HubResolver.Resolved resolve(
      String checkpoint,
      HubResolver hub,
      File basedir,
      File pomFile,
      File buildDirectory,
      Log log,
      boolean reuseDemo,
      FileSelection selection)
      throws MojoFailureException, MojoExecutionException {
    if (checkpoint != null && !checkpoint.isBlank()) {
      File base = basedir != null ? basedir : new File("").getAbsoluteFile();
      return Failures.map(
          reuseDemo ? "stage" : "export", () -> hub.resolve(checkpoint, base.toPath(), selection));
    }
    if (pomFile == null || buildDirectory == null) {
      throw new MojoFailureException(
          "No checkpoint given: set -D"
              + Properties.CHECKPOINT
              + "=DIR or -D"
              + Properties.CHECKPOINT
              + "=org/name: a Hugging Face checkpoint folder with config.json, model.safetensors"
              + " and the tokenizer files, or a Hugging Face Hub id");
    }
    Path dir = buildDirectory.toPath().resolve(DemoCheckpoint.BUILD_SUBDIRECTORY);
    if (reuseDemo && DemoCheckpoint.isDemo(dir)) {
      // export already printed the banner in this build; one line is enough here.
      log.warn(
          "stage: no edgellm.checkpoint set; staging the DEMO model (random weights) from " + dir);
      return new HubResolver.Resolved(dir, null, null);
    }
    try {
      DemoCheckpoint.write(dir);
    } catch (IOException e) {
      throw new MojoExecutionException(
          "Cannot write the demo checkpoint to " + dir + ": " + e.getMessage(), e);
    }
    DemoCheckpoint.warning(dir).forEach(log::warn);
    return new HubResolver.Resolved(dir, null, null);
  }
}
