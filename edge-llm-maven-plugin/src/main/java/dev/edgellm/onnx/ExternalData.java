package dev.edgellm.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.edgellm.onnx.proto.StringStringEntryProto;
import dev.edgellm.onnx.proto.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves the external-data tensors of one model ({@code location}/{@code offset}/{@code length})
 * into tensors whose {@code raw_data} is a view of the mapped data file, with the checks {@link
 * OnnxModel} describes; counts what it resolved. Opened files are added to the model's channels.
 */
final class ExternalData {
  private final Path model;
  private final Path folder;
  private final List<FileChannel> channels;
  private final Map<Path, Mapped> files = new LinkedHashMap<>();
  private final Map<String, OnnxModel.ExternalFile> byLocation = new LinkedHashMap<>();
  private Path realFolder;
  int count;
  long bytes;

  ExternalData(Path model, List<FileChannel> channels) {
    this.model = model;
    this.folder = model.getParent();
    this.channels = channels;
  }

  /** The external data files used, in the order first met (real paths). */
  List<Path> files() {
    return List.copyOf(files.keySet());
  }

  /** Every location the tensors name, in the order first met, with what they use of it. */
  List<OnnxModel.ExternalFile> locations() {
    return List.copyOf(byLocation.values());
  }

  TensorProto resolve(TensorProto t, String where) throws OnnxFormatException, IOException {
    if (!Tensors.isExternal(t)) {
      checkInlineSize(t, where);
      return t;
    }
    Map<String, String> kv = new HashMap<>();
    for (StringStringEntryProto e : t.getExternalDataList()) {
      kv.put(e.getKey(), e.getValue());
    }
    String name = t.getName();
    String location = kv.get("location");
    if (location == null || location.isEmpty()) {
      throw fail(name, "has data_location EXTERNAL but no location; export the model again");
    }
    if (location.indexOf('\0') >= 0) {
      throw fail(
          name,
          "has an external data location with a NUL character, which no file name holds;"
              + " export the model again");
    }
    if (location.contains("..")) {
      throw fail(
          name,
          "has external data location '"
              + location
              + "' containing '..'; external data must"
              + " lie in the model's folder "
              + folder
              + ": move the data file there and set"
              + " location to its file name");
    }
    if (location.startsWith("/")
        || location.startsWith("\\")
        || Path.of(location).isAbsolute()
        || location.matches("^[A-Za-z]:.*")) {
      throw fail(
          name,
          "has absolute external data location '"
              + location
              + "'; external data must lie in"
              + " the model's folder "
              + folder
              + ": move the data file there and set location"
              + " to its file name");
    }
    if (location.contains("/") || location.contains("\\") || location.contains(":")) {
      throw fail(
          name,
          "has external data location '"
              + location
              + "' naming a folder or a stream; external data must be a file in the model's folder "
              + folder
              + " (browsers fetch bare file names only): move the data file there and set"
              + " location to its file name");
    }
    Path dataPath = folder.resolve(location).normalize();
    if (!Files.exists(dataPath)) {
      throw fail(
          name,
          "needs external data file "
              + dataPath
              + ", which does not exist; copy '"
              + location
              + "' next to "
              + model.getFileName()
              + " (both files belong together)");
    }
    Path real;
    try {
      real = dataPath.toRealPath();
      if (realFolder == null) {
        realFolder = folder.toRealPath();
      }
    } catch (NoSuchFileException e) {
      throw fail(
          name,
          "needs external data file "
              + dataPath
              + ", which does not exist (dangling link);"
              + " copy '"
              + location
              + "' next to "
              + model.getFileName());
    }
    if (!real.startsWith(realFolder)) {
      throw fail(
          name,
          "has external data location '"
              + location
              + "' that resolves to "
              + real
              + ", outside the model's folder "
              + realFolder
              + "; copy the data file into the"
              + " model's folder instead of linking to it");
    }
    if (!Files.isRegularFile(real)) {
      throw fail(name, "has external data location '" + location + "' that is not a file");
    }
    Mapped m = files.get(real);
    if (m == null) {
      FileChannel ch = FileChannel.open(real, StandardOpenOption.READ);
      channels.add(ch);
      m = new Mapped(ch);
      files.put(real, m);
    }
    long offset = number(kv, "offset", 0, name, location);
    long expected = Tensors.expectedByteSize(t);
    long length = number(kv, "length", -1, name, location);
    if (offset > m.size) {
      throw fail(
          name,
          "has external data offset "
              + offset
              + " beyond the end of "
              + real
              + " ("
              + m.size
              + " bytes); the data file does not belong to this model or is truncated:"
              + " copy both files again");
    }
    if (length < 0) {
      length = expected >= 0 ? expected : m.size - offset;
    }
    if (offset + length > m.size) {
      throw fail(
          name,
          "has external data offset "
              + offset
              + " + length "
              + length
              + " = "
              + (offset + length)
              + " beyond the end of "
              + real
              + " ("
              + m.size
              + " bytes); the data file does not belong to this model or is truncated:"
              + " copy both files again");
    }
    if (expected >= 0 && length != expected) {
      throw fail(
          name,
          "has external data length "
              + length
              + " but "
              + Tensors.typeName(t.getDataType())
              + " "
              + t.getDimsList()
              + " needs "
              + expected
              + " bytes; export the model again");
    }
    if (length > Integer.MAX_VALUE) {
      throw fail(name, "is " + length + " bytes; tensors of 2 GiB or more are not supported");
    }
    ByteBuffer view = m.slice(offset, (int) length);
    count++;
    bytes += length;
    OnnxModel.ExternalFile seen = byLocation.get(location);
    byLocation.put(
        location,
        seen == null
            ? new OnnxModel.ExternalFile(location, real, m.size, 1, length, offset + length)
            : new OnnxModel.ExternalFile(
                location,
                real,
                m.size,
                seen.tensors() + 1,
                seen.bytes() + length,
                Math.max(seen.end(), offset + length)));
    return t.toBuilder()
        .clearExternalData()
        .clearDataLocation()
        .setRawData(UnsafeByteOperations.unsafeWrap(view))
        .build();
  }

  private void checkInlineSize(TensorProto t, String where) throws OnnxFormatException {
    if (!t.hasRawData()) {
      return;
    }
    long expected = Tensors.expectedByteSize(t);
    ByteString raw = t.getRawData();
    if (expected >= 0 && raw.size() != expected) {
      throw fail(
          t.getName(),
          "("
              + where
              + ") has "
              + raw.size()
              + " bytes of data but "
              + Tensors.typeName(t.getDataType())
              + " "
              + t.getDimsList()
              + " needs "
              + expected
              + "; the file is damaged: export the model again");
    }
  }

  private long number(Map<String, String> kv, String key, long dflt, String name, String loc)
      throws OnnxFormatException {
    String v = kv.get(key);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw fail(
          name,
          "has external data "
              + key
              + " '"
              + v
              + "' (file '"
              + loc
              + "'), which is not a"
              + " non-negative integer; export the model again");
    }
  }

  private OnnxFormatException fail(String tensor, String what) {
    return new OnnxFormatException("ONNX model " + model + ": tensor '" + tensor + "' " + what);
  }

  /** One external data file: mapped whole when under 2 GiB, else region by region. */
  private static final class Mapped {
    final FileChannel channel;
    final long size;
    private MappedByteBuffer whole;

    Mapped(FileChannel channel) throws IOException {
      this.channel = channel;
      this.size = channel.size();
    }

    ByteBuffer slice(long offset, int length) throws IOException {
      if (size <= Integer.MAX_VALUE) {
        if (whole == null) {
          whole = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
        return whole.slice((int) offset, length);
      }
      return channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
    }
  }
}
