/**
 * Small utilities every stage uses: {@link dev.edgellm.util.Reporter} (the core's log, adapted to
 * Maven's by the mojos), {@link dev.edgellm.util.ProgressMeter} ("tensor i of n, MB, MB/s" lines),
 * {@link dev.edgellm.util.AtomicFiles} (write to a temporary file, then rename), {@link
 * dev.edgellm.util.UserErrorException} (the base of user-input errors, mapped to
 * MojoFailureException) and {@link dev.edgellm.util.Half} (fp16/bf16 conversions).
 */
package dev.edgellm.util;
