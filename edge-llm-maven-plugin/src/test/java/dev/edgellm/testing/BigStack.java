package dev.edgellm.testing;

/**
 * Runs a child JVM's work on a thread with a 64 MB stack. validate's real run (ONNX Runtime)
 * crashed (SIGSEGV, no hs_err file) on a plain {@code java} main thread with the default 1 MB stack
 * on this machine, as it does not under surefire or Maven.
 */
public final class BigStack {
  private BigStack() {}

  /** The work. */
  @FunctionalInterface
  public interface Work {
    void run() throws Exception;
  }

  /** Runs {@code work} on a 64 MB-stack thread and waits; rethrows what it threw. */
  public static void run(Work work) throws Exception {
    Throwable[] failed = new Throwable[1];
    Thread t =
        new Thread(
            null,
            () -> {
              try {
                work.run();
              } catch (Throwable e) {
                failed[0] = e;
              }
            },
            "big-stack",
            64L << 20);
    t.start();
    t.join();
    if (failed[0] instanceof Exception e) {
      throw e;
    } else if (failed[0] instanceof Error e) {
      throw e;
    }
  }
}
