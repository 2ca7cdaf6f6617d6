package dev.edgellm.graph;

import com.google.protobuf.ByteString;
import dev.edgellm.onnx.proto.TensorProto;
import java.util.function.Supplier;

/**
 * An initializer whose bytes are produced only when the model is written (read from the
 * memory-mapped checkpoint, converted, transposed or quantized then), so a writer can stream the
 * model tensor by tensor without holding all weights on the heap.
 *
 * @param name initializer name
 * @param dataType a {@link TensorProto.DataType} number
 * @param dims the shape
 * @param byteLength exact length of {@code data.get()}
 * @param data produces the raw little-endian bytes (may be called once only)
 */
public record LazyTensor(
    String name, int dataType, long[] dims, long byteLength, Supplier<ByteString> data) {

  /** The initializer with its data filled in. */
  public TensorProto materialize() {
    ByteString bytes = bytes();
    TensorProto.Builder b =
        TensorProto.newBuilder().setName(name).setDataType(dataType).setRawData(bytes);
    for (long d : dims) {
      b.addDims(d);
    }
    return b.build();
  }

  /** Produces the data (once), checking its length. */
  public ByteString bytes() {
    ByteString bytes = data.get();
    if (bytes.size() != byteLength) {
      throw new IllegalStateException(
          name + ": produced " + bytes.size() + " bytes, expected " + byteLength);
    }
    return bytes;
  }

  /** The initializer's header only (name, type, dims), without data. */
  public TensorProto header() {
    TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(dataType);
    for (long d : dims) {
      b.addDims(d);
    }
    return b.build();
  }
}
