package dev.edgellm.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * One measured benchmark run (not a test helper): wall time, the process's CPU time (all threads,
 * JIT and GC included: steadier than wall time on a busy machine) and the peak heap, summed over
 * the heap pools, after a {@code System.gc()} and a reset of the pools' peaks.
 *
 * @param <T> what the measured work returns
 * @param result what the measured work returned
 * @param wallSeconds wall time of the work
 * @param cpuSeconds process CPU time during the work
 * @param peakHeapBytes the heap's peak use during the work
 */
public record Measured<T>(T result, double wallSeconds, double cpuSeconds, long peakHeapBytes) {

  /** The work to measure. */
  @FunctionalInterface
  public interface Work<T> {
    T run() throws Exception;
  }

  /** Runs {@code work} once and measures it. */
  public static <T> Measured<T> run(Work<T> work) throws Exception {
    System.gc();
    resetPeaks();
    long cpu0 = cpuNanos();
    long t0 = System.nanoTime();
    T result = work.run();
    double wall = (System.nanoTime() - t0) / 1e9;
    double cpu = (cpuNanos() - cpu0) / 1e9;
    return new Measured<>(result, wall, cpu, heapPeak());
  }

  /** The peak heap in MB (10^6 bytes). */
  public double peakHeapMb() {
    return peakHeapBytes / 1e6;
  }

  /** Starts the heap pools' peaks again from their current use. */
  public static void resetPeaks() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      p.resetPeakUsage();
    }
  }

  /** The heap's peak use since the last {@link #resetPeaks}, summed over the heap pools. */
  public static long heapPeak() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  /** CPU time of this process (all threads, JIT and GC included), 0 where the JVM gives none. */
  public static long cpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : 0;
  }
}
