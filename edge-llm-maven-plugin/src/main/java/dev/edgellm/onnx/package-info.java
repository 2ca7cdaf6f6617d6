/**
 * ONNX model I/O, without Maven types.
 *
 * <h2>Reading</h2>
 *
 * <pre>{@code
 * try (OnnxModel model = OnnxModel.read(path)) {          // one file, or with external data
 *   ModelProto proto = model.proto();                      // all tensor data inline, mapped
 *   for (TensorProto t : proto.getGraph().getInitializerList()) {
 *     ByteBuffer le = Tensors.data(t);                     // read-only little-endian view
 *   }
 * }
 * }</pre>
 *
 * {@link dev.edgellm.onnx.OnnxModel#read} maps the file and parses it with aliasing: every {@code
 * raw_data} is a view of the mapping, and external data ({@code location}/{@code offset}/{@code
 * length}) is checked and mapped into {@code raw_data} too, so the rest of the pipeline never sees
 * external data. Keep the model open while views are in use.
 *
 * <h2>Writing</h2>
 *
 * <ul>
 *   <li>{@link dev.edgellm.onnx.OnnxWriter#writeEmbedded(dev.edgellm.onnx.proto.ModelProto,
 *       java.nio.file.Path)}: one file, streamed, refused with {@link
 *       dev.edgellm.onnx.ModelTooLargeException} before writing if over 2 GiB (the limit is a
 *       parameter);
 *   <li>{@link dev.edgellm.onnx.OnnxWriter#writeWithExternalData(dev.edgellm.onnx.proto.ModelProto,
 *       java.nio.file.Path)}: {@code model.onnx} + {@code model.onnx_data}, tensors of 1 KiB or
 *       more at 4096-aligned offsets, deterministic.
 * </ul>
 *
 * Both write a temporary file and rename it into place. Build tensors with {@link
 * dev.edgellm.onnx.Tensors#raw} (wraps a {@code byte[]} or {@code ByteString} without copying) so
 * that a large model is never copied on the heap. {@link dev.edgellm.onnx.ModelTensors} visits or
 * rewrites every tensor of a model, subgraphs included.
 *
 * <h2>Errors</h2>
 *
 * {@link dev.edgellm.onnx.OnnxFormatException} and {@link dev.edgellm.onnx.ModelTooLargeException}
 * are {@link dev.edgellm.util.UserErrorException}s (the user's file is wrong; mojos report them as
 * build failures); {@link java.io.IOException} means reading or writing broke.
 */
package dev.edgellm.onnx;
