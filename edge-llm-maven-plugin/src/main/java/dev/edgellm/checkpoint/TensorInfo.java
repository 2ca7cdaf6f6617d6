package dev.edgellm.checkpoint;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * One tensor of a safetensors file: its name, element type, shape and byte range in the data
 * section (which starts right after the header).
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end, Path file) {

  /** Number of elements. */
  public long elements() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** Length in bytes. */
  public long byteLength() {
    return end - begin;
  }

  /** The shape as text, e.g. {@code [512, 64]}. */
  public String shapeText() {
    return Arrays.toString(shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorInfo t
        && t.name.equals(name)
        && t.dtype == dtype
        && Arrays.equals(t.shape, shape)
        && t.begin == begin
        && t.end == end
        && t.file.equals(file);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + " " + dtype + " " + shapeText();
  }
}
