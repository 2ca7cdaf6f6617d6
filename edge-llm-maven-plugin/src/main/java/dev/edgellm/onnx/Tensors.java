package dev.edgellm.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.onnx.proto.TensorProto.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Small helpers for {@link TensorProto}: element types and sizes, shape arithmetic, read-only views
 * of a tensor's data, and builders for tensors with {@code raw_data}.
 *
 * <p>ONNX stores tensor data little-endian; every view returned here is a read-only {@link
 * ByteBuffer} in {@link ByteOrder#LITTLE_ENDIAN} order, positioned at 0.
 */
public final class Tensors {
  private Tensors() {}

  /**
   * Bits per element of an ONNX {@code data_type} ({@link DataType} number): 4 for INT4, UINT4 and
   * FLOAT4E2M1, 8 to 128 for the fixed-size types, 0 for STRING and UNDEFINED (no fixed size).
   */
  public static int bitsPerElement(int dataType) {
    switch (dataType) {
      case DataType.UINT4_VALUE:
      case DataType.INT4_VALUE:
      case DataType.FLOAT4E2M1_VALUE:
        return 4;
      case DataType.UINT8_VALUE:
      case DataType.INT8_VALUE:
      case DataType.BOOL_VALUE:
      case DataType.FLOAT8E4M3FN_VALUE:
      case DataType.FLOAT8E4M3FNUZ_VALUE:
      case DataType.FLOAT8E5M2_VALUE:
      case DataType.FLOAT8E5M2FNUZ_VALUE:
      case DataType.FLOAT8E8M0_VALUE:
        return 8;
      case DataType.UINT16_VALUE:
      case DataType.INT16_VALUE:
      case DataType.FLOAT16_VALUE:
      case DataType.BFLOAT16_VALUE:
        return 16;
      case DataType.FLOAT_VALUE:
      case DataType.INT32_VALUE:
      case DataType.UINT32_VALUE:
        return 32;
      case DataType.INT64_VALUE:
      case DataType.UINT64_VALUE:
      case DataType.DOUBLE_VALUE:
      case DataType.COMPLEX64_VALUE:
        return 64;
      case DataType.COMPLEX128_VALUE:
        return 128;
      default:
        return 0;
    }
  }

  /** The ONNX name of a {@code data_type}, e.g. {@code FLOAT}, or {@code type 99} if unknown. */
  public static String typeName(int dataType) {
    DataType t = DataType.forNumber(dataType);
    return t == null ? "type " + dataType : t.name();
  }

  /** The tensor's shape as an array. */
  public static long[] dims(TensorProto t) {
    long[] d = new long[t.getDimsCount()];
    for (int i = 0; i < d.length; i++) {
      d[i] = t.getDims(i);
    }
    return d;
  }

  /**
   * Number of elements of a shape (1 for a scalar); -1 if a dimension is negative or it overflows.
   */
  public static long elementCount(List<Long> dims) {
    long n = 1;
    for (long d : dims) {
      if (d < 0) {
        return -1;
      }
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        return -1;
      }
    }
    return n;
  }

  /** Number of elements of the tensor's shape; -1 if the shape is invalid. */
  public static long elementCount(TensorProto t) {
    return elementCount(t.getDimsList());
  }

  /**
   * Bytes that {@code count} elements of {@code dataType} take in {@code raw_data} (4-bit types
   * packed two per byte, rounded up), or -1 if the type has no fixed size.
   */
  public static long byteSize(int dataType, long count) {
    int bits = bitsPerElement(dataType);
    if (bits == 0 || count < 0) {
      return -1;
    }
    return (count * bits + 7) / 8;
  }

  /**
   * Bytes that the tensor's data takes in {@code raw_data} according to its type and shape, or -1.
   */
  public static long expectedByteSize(TensorProto t) {
    return byteSize(t.getDataType(), elementCount(t));
  }

  /** Bytes of data the tensor holds in memory ({@code raw_data} or the typed fields). */
  public static long dataSize(TensorProto t) {
    if (t.hasRawData()) {
      return t.getRawData().size();
    }
    long e = expectedByteSize(t);
    return e < 0 ? 0 : e;
  }

  /** {@code name TYPE [d0, d1]}, for messages. */
  public static String describe(TensorProto t) {
    return t.getName() + " " + typeName(t.getDataType()) + " " + t.getDimsList();
  }

  /** True if the tensor's data lives in an external file ({@code data_location = EXTERNAL}). */
  public static boolean isExternal(TensorProto t) {
    return t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
  }

  /**
   * A read-only little-endian view of the tensor's data. For {@code raw_data} (what every exporter
   * writes, and what {@link OnnxModel#read} produces for external data) this is a view of the same
   * memory, no copy; a tensor stored in the typed fields ({@code float_data}, {@code int64_data},
   * ...) is converted into a new buffer.
   *
   * @throws OnnxFormatException if the data is external (read the model with {@link
   *     OnnxModel#read}, which inlines it), a string tensor, or stored in a typed field this helper
   *     does not convert
   */
  public static ByteBuffer data(TensorProto t) throws OnnxFormatException {
    if (isExternal(t)) {
      throw new OnnxFormatException(
          "tensor "
              + t.getName()
              + " has external data; read the model with OnnxModel.read, "
              + "which maps external data into raw_data");
    }
    if (t.hasRawData()) {
      return t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }
    long count = elementCount(t);
    int type = t.getDataType();
    long bytes = byteSize(type, count);
    if (bytes < 0 || bytes > Integer.MAX_VALUE) {
      throw new OnnxFormatException(
          "tensor " + describe(t) + " has no fixed-size data this tool can read");
    }
    ByteBuffer out = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    int n = (int) count;
    switch (type) {
      case DataType.FLOAT_VALUE:
        need(t, t.getFloatDataCount(), n);
        for (int i = 0; i < n; i++) {
          out.putFloat(t.getFloatData(i));
        }
        break;
      case DataType.DOUBLE_VALUE:
        need(t, t.getDoubleDataCount(), n);
        for (int i = 0; i < n; i++) {
          out.putDouble(t.getDoubleData(i));
        }
        break;
      case DataType.INT64_VALUE:
        need(t, t.getInt64DataCount(), n);
        for (int i = 0; i < n; i++) {
          out.putLong(t.getInt64Data(i));
        }
        break;
      case DataType.UINT64_VALUE:
        need(t, t.getUint64DataCount(), n);
        for (int i = 0; i < n; i++) {
          out.putLong(t.getUint64Data(i));
        }
        break;
      case DataType.UINT32_VALUE:
        need(t, t.getUint64DataCount(), n);
        for (int i = 0; i < n; i++) {
          out.putInt((int) t.getUint64Data(i));
        }
        break;
      case DataType.INT32_VALUE:
        need(t, t.getInt32DataCount(), n);
        for (int i = 0; i < n; i++) {
          out.putInt(t.getInt32Data(i));
        }
        break;
      case DataType.INT16_VALUE:
      case DataType.UINT16_VALUE:
      case DataType.FLOAT16_VALUE:
      case DataType.BFLOAT16_VALUE:
        need(t, t.getInt32DataCount(), n);
        for (int i = 0; i < n; i++) {
          out.putShort((short) t.getInt32Data(i));
        }
        break;
      case DataType.INT8_VALUE:
      case DataType.UINT8_VALUE:
      case DataType.BOOL_VALUE:
        need(t, t.getInt32DataCount(), n);
        for (int i = 0; i < n; i++) {
          out.put((byte) t.getInt32Data(i));
        }
        break;
      default:
        throw new OnnxFormatException(
            "tensor "
                + describe(t)
                + " stores its data in a typed field this tool cannot read; "
                + "re-save the model with raw_data (onnx saves raw_data by default)");
    }
    out.flip();
    return out.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void need(TensorProto t, int have, int want) throws OnnxFormatException {
    if (have != want) {
      throw new OnnxFormatException(
          "tensor "
              + describe(t)
              + " has "
              + have
              + " values but its shape needs "
              + want
              + "; the model is damaged, export it again");
    }
  }

  /**
   * A tensor whose {@code raw_data} wraps {@code data} without copying: the caller must not modify
   * the array afterwards.
   */
  public static TensorProto raw(String name, int dataType, long[] dims, byte[] data) {
    return raw(name, dataType, dims, UnsafeByteOperations.unsafeWrap(data));
  }

  /** A tensor with {@code raw_data} (little-endian, 4-bit types packed low nibble first). */
  public static TensorProto raw(String name, int dataType, long[] dims, ByteString data) {
    long expected = byteSize(dataType, elementCount(Arrays.stream(dims).boxed().toList()));
    if (expected >= 0 && expected != data.size()) {
      throw new IllegalArgumentException(
          "tensor "
              + name
              + " "
              + typeName(dataType)
              + " "
              + Arrays.toString(dims)
              + " needs "
              + expected
              + " bytes, got "
              + data.size());
    }
    TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(dataType);
    for (long d : dims) {
      b.addDims(d);
    }
    return b.setRawData(data).build();
  }

  /** A FLOAT tensor with {@code values} as little-endian {@code raw_data} (copied). */
  public static TensorProto floats(String name, long[] dims, float[] values) {
    ByteBuffer bb = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bb.asFloatBuffer().put(values);
    return raw(name, DataType.FLOAT_VALUE, dims, bb.array());
  }

  /** An INT64 tensor with {@code values} as little-endian {@code raw_data} (copied). */
  public static TensorProto longs(String name, long[] dims, long[] values) {
    ByteBuffer bb = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    bb.asLongBuffer().put(values);
    return raw(name, DataType.INT64_VALUE, dims, bb.array());
  }
}
