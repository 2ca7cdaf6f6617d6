package dev.edgellm.validate;

import com.google.protobuf.CodedInputStream;
import dev.edgellm.onnx.proto.ModelProto;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Parses an ONNX file with the generated proto classes, memory-mapped: tensor bytes stay in the
 * mapping (protobuf aliases them) instead of being copied onto the heap.
 *
 * <p>Only files under protobuf's 2 GiB limit can be parsed; check the size first.
 */
public final class OnnxModelFile {
  private OnnxModelFile() {}

  /** The largest file protobuf can parse (and onnxruntime-web load as one file): 2 GiB - 1 byte. */
  public static final long MAX_PROTOBUF_BYTES = Integer.MAX_VALUE;

  /** Reads the whole model; throws {@link IOException} when the file is larger than 2 GiB or does not parse. */
  public static ModelProto read(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size > MAX_PROTOBUF_BYTES) {
        throw new IOException(file + " is " + size + " bytes, over protobuf's 2 GiB limit");
      }
      MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
      CodedInputStream in = CodedInputStream.newInstance(buffer);
      in.enableAliasing(true);
      in.setSizeLimit(Integer.MAX_VALUE);
      in.setRecursionLimit(1000);
      ModelProto model = ModelProto.parseFrom(in);
      in.checkLastTagWas(0);
      return model;
    }
  }
}
