package dev.edgellm.maven;

import dev.edgellm.stage.ModelName;
import java.io.File;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;

/**
 * What every Edge-LLM goal shares: the skip flag (one check, one message), paths in a build run
 * without a pom, and the mapping of the core's exceptions to Maven's ({@link Failures}). A goal
 * declares its own {@code skip} parameter (each has its own property) and implements {@link #run}.
 */
public abstract class EdgeLlmMojo extends AbstractMojo {
  private static final String BASEDIR = "${project.basedir}";

  private final String goal;
  private final String skipProperty;

  /**
   * @param goal the goal's name, used in the log and in failure messages
   * @param skipProperty the user property of the goal's skip flag
   */
  protected EdgeLlmMojo(String goal, String skipProperty) {
    this.goal = goal;
    this.skipProperty = skipProperty;
  }

  /** The value of the goal's skip parameter. */
  protected abstract boolean skip();

  /** The goal's work; called unless {@link #skip()}. */
  protected abstract void run() throws MojoExecutionException, MojoFailureException;

  @Override
  public final void execute() throws MojoExecutionException, MojoFailureException {
    if (skip()) {
      getLog().info(goal + ": skipped (" + skipProperty + "=true)");
      return;
    }
    run();
  }

  /** Calls the core, mapping its exceptions as {@link Failures#map} does, named after the goal. */
  protected final <T> T core(Failures.CoreCall<T> call)
      throws MojoFailureException, MojoExecutionException {
    return Failures.map(goal, call);
  }

  /**
   * Without a pom, Maven 3.8/3.9 leave {@code ${project.basedir}} unexpanded in the standalone
   * project's build directory; resolves it against the folder Maven runs in ({@code basedir}).
   */
  static File withoutPom(File file, File basedir) {
    if (file == null) {
      return null;
    }
    String path = file.getPath();
    int at = path.indexOf(BASEDIR);
    if (at < 0) {
      return file;
    }
    return new File(basedir, path.substring(at + BASEDIR.length()));
  }

  /**
   * Whether {@code file} is unset, or a default whose expression a build without pom left as is.
   */
  static boolean unresolved(File file) {
    return file == null || file.getPath().contains("${");
  }

  /**
   * The staging folder: the explicit one, or {@code basedir/public/models/<name>}, where the name
   * must be a {@link ModelName} (so it cannot climb out of {@code public/models}).
   *
   * @throws dev.edgellm.stage.StageException when the name is not a safe folder name
   */
  static File stageDirectory(File directory, String modelName, File checkpoint, File basedir) {
    if (directory != null) {
      return directory;
    }
    String name =
        modelName != null && !modelName.isBlank()
            ? ModelName.check(modelName, Properties.MODEL_NAME)
            : ModelName.check(
                String.valueOf(checkpoint.toPath().toAbsolutePath().normalize().getFileName()),
                "the checkpoint folder's name; " + Properties.MODEL_NAME + " is not set");
    return new File(new File(new File(basedir, "public"), "models"), name);
  }
}
