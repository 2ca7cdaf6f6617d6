package dev.edgellm.quantize;

import dev.edgellm.onnx.proto.TensorProto.DataType;
import dev.edgellm.util.Half;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * A 2-D weight matrix, row-major, read as floats a row segment at a time. Implementations must be
 * safe for concurrent reads (the kernel reads from several threads).
 *
 * <p>Factories cover the layouts the pipeline meets: little-endian fp32/fp16/bf16 bytes (an ONNX
 * initializer's {@code raw_data}, a memory-mapped safetensors tensor) and float arrays.
 */
public interface WeightSource {

  /** Number of rows. */
  int rows();

  /** Number of columns (elements per row). */
  int cols();

  /**
   * Copies elements {@code [col, col + len)} of row {@code row} into {@code dst[off .. off+len)},
   * widened to float.
   */
  void read(int row, int col, float[] dst, int off, int len);

  /** Whether the elements are fp16 (the quantizer then writes fp16 scales, as onnxruntime does). */
  default boolean isFloat16() {
    return false;
  }

  /**
   * A view of little-endian bytes ({@code raw_data}, a mapped file) holding a {@code rows x cols}
   * matrix of {@code dataType}: {@link DataType#FLOAT}, {@link DataType#FLOAT16} or {@link
   * DataType#BFLOAT16}. The buffer is read from its position; it is not modified.
   */
  static WeightSource of(ByteBuffer data, int dataType, int rows, int cols) {
    long need = (long) rows * cols;
    ByteBuffer le = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    switch (dataType) {
      case DataType.FLOAT_VALUE:
        {
          check(le.remaining() / 4, need);
          FloatBuffer fb = le.asFloatBuffer();
          return new Base(rows, cols) {
            @Override
            public void read(int row, int col, float[] dst, int off, int len) {
              fb.get(row * cols + col, dst, off, len);
            }
          };
        }
      case DataType.FLOAT16_VALUE:
      case DataType.BFLOAT16_VALUE:
        {
          check(le.remaining() / 2, need);
          ShortBuffer sb = le.asShortBuffer();
          boolean bf16 = dataType == DataType.BFLOAT16_VALUE;
          return new Base(rows, cols) {
            @Override
            public void read(int row, int col, float[] dst, int off, int len) {
              int base = row * cols + col;
              if (bf16) {
                for (int i = 0; i < len; i++) {
                  dst[off + i] = Half.bf16ToFloat(sb.get(base + i));
                }
              } else {
                for (int i = 0; i < len; i++) {
                  dst[off + i] = Half.halfToFloat(sb.get(base + i));
                }
              }
            }

            @Override
            public boolean isFloat16() {
              return !bf16;
            }
          };
        }
      default:
        throw new IllegalArgumentException(
            "weights must be FLOAT, FLOAT16 or BFLOAT16, not data type " + dataType);
    }
  }

  /** A view of a row-major {@code rows x cols} float array (not copied). */
  static WeightSource of(float[] data, int rows, int cols) {
    check(data.length, (long) rows * cols);
    return new Base(rows, cols) {
      @Override
      public void read(int row, int col, float[] dst, int off, int len) {
        System.arraycopy(data, row * cols + col, dst, off, len);
      }
    };
  }

  /** A view of a row-major {@code rows x cols} FloatBuffer, from its position (not copied). */
  static WeightSource of(FloatBuffer data, int rows, int cols) {
    FloatBuffer fb = data.slice();
    check(fb.remaining(), (long) rows * cols);
    return new Base(rows, cols) {
      @Override
      public void read(int row, int col, float[] dst, int off, int len) {
        fb.get(row * cols + col, dst, off, len);
      }
    };
  }

  /** A view of one float array per row (all the same length). */
  static WeightSource ofRows(float[][] rows) {
    int cols = rows.length == 0 ? 0 : rows[0].length;
    for (float[] r : rows) {
      if (r.length != cols) {
        throw new IllegalArgumentException("rows differ in length: " + r.length + " vs " + cols);
      }
    }
    return new Base(rows.length, cols) {
      @Override
      public void read(int row, int col, float[] dst, int off, int len) {
        System.arraycopy(rows[row], col, dst, off, len);
      }
    };
  }

  private static void check(long have, long need) {
    if (have < need) {
      throw new IllegalArgumentException("weight data has " + have + " elements, needs " + need);
    }
    if (need > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("weight has more than 2^31 elements: " + need);
    }
  }

  /** Holds the shape. */
  abstract class Base implements WeightSource {
    private final int rows;
    private final int cols;

    protected Base(int rows, int cols) {
      this.rows = rows;
      this.cols = cols;
    }

    @Override
    public int rows() {
      return rows;
    }

    @Override
    public int cols() {
      return cols;
    }
  }
}
